package dev.streamchat.ai.model;

import dev.langchain4j.model.chat.StreamingChatModel;

/**
 * The model this process answers with, chosen once at startup by {@code AI_PROVIDER}.
 *
 * @param maxOutputTokens the completion budget the model is configured with (what a token reservation adds to the
 *                        prompt estimate)
 */
public record ChatProvider(Provider provider, StreamingChatModel model, int maxOutputTokens) {

    /** Only OpenAI calls are metered against the shared tokens-per-minute budget (CONTRACT.md section 5). */
    public boolean reservesTokens() {
        return provider == Provider.OPENAI;
    }
}
