package dev.streamchat.ai.route;

import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.streamchat.ai.chat.ChatTurn;
import dev.streamchat.ai.rag.Passage;

/**
 * Builds the model's messages: the route's system template with the sources numbered [1]..[n] in passage order,
 * the history as user/assistant messages, the question last. Thread-safe.
 */
@Component
public class PromptBuilder {

    public List<ChatMessage> build(Route route, String query, List<ChatTurn> history, List<Passage> passages) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from("Answer from the sources."));
        for (ChatTurn turn : history) {
            messages.add(turn.isUser() ? UserMessage.from(turn.content()) : AiMessage.from(turn.content()));
        }
        messages.add(UserMessage.from(query));
        return messages;
    }
}
