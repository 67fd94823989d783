package dev.streamchat.ai.tpm;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.openai.OpenAiTokenCountEstimator;

/**
 * Estimates a prompt's tokens before the call: with the model's own tokenizer (jtokkit) when the model name is an
 * OpenAI one, else about 4 characters per token. CPU only; the tokenizer's tables load in the constructor, at startup.
 */
public final class PromptTokenEstimator {

    private static final Logger log = LoggerFactory.getLogger(PromptTokenEstimator.class);
    private static final int PER_MESSAGE = 4;
    private static final int PER_REPLY = 3;

    private final OpenAiTokenCountEstimator tokenizer;

    public PromptTokenEstimator(String modelName) {
        OpenAiTokenCountEstimator found = null;
        if (modelName != null && !modelName.isBlank()) {
            try {
                found = new OpenAiTokenCountEstimator(modelName);
                found.estimateTokenCountInText("warm up");
            } catch (RuntimeException unknownModel) {
                log.info("no tokenizer for model {}: estimating prompt tokens as characters / 4", modelName);
            }
        }
        this.tokenizer = found;
    }

    public int estimate(List<ChatMessage> messages) {
        int tokens = PER_REPLY;
        for (ChatMessage message : messages) {
            String text = text(message);
            tokens += PER_MESSAGE + (tokenizer != null ? tokenizer.estimateTokenCountInText(text) : (text.length() + 3) / 4);
        }
        return tokens;
    }

    private static String text(ChatMessage message) {
        if (message instanceof SystemMessage system) {
            return system.text();
        }
        if (message instanceof UserMessage user) {
            return user.hasSingleText() ? user.singleText() : user.contents().toString();
        }
        if (message instanceof AiMessage ai) {
            return ai.text() == null ? "" : ai.text();
        }
        return String.valueOf(message);
    }
}
