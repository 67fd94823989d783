package dev.streamchat.ai.route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.streamchat.ai.chat.ChatTurn;
import dev.streamchat.ai.rag.Passage;

/**
 * Builds the model's messages: the route's system template ({@code classpath:prompts/<wireName>.txt}, read once at
 * construction) with the sources numbered [1]..[n] in passage order, then the history as user/assistant messages,
 * then the question. Calling it again with fewer passages or turns gives the trimmed prompt. Thread-safe.
 */
@Component
public class PromptBuilder {

    private final Map<Route, String> templates = new EnumMap<>(Route.class);

    public PromptBuilder() {
        for (Route route : Route.values()) {
            String template = read("prompts/" + route.wireName() + ".txt");
            if (!template.contains(PromptFormat.SOURCES_PLACEHOLDER) || PromptFormat.parseRoute(template) != route) {
                throw new IllegalStateException("prompts/" + route.wireName() + ".txt must start with 'Task: "
                        + route.wireName() + ".' and contain " + PromptFormat.SOURCES_PLACEHOLDER);
            }
            templates.put(route, template);
        }
    }

    public List<ChatMessage> build(Route route, String query, List<ChatTurn> history, List<Passage> passages) {
        List<ChatMessage> messages = new ArrayList<>();
        String system = templates.get(route).replace(PromptFormat.SOURCES_PLACEHOLDER, PromptFormat.sources(passages));
        messages.add(SystemMessage.from(system.strip()));
        if (history != null) {
            for (ChatTurn turn : history) {
                if (turn == null || turn.content() == null || turn.content().isBlank()) {
                    continue; // empty messages are rejected by some providers and say nothing
                }
                messages.add("assistant".equals(turn.role()) ? AiMessage.from(turn.content())
                        : UserMessage.from(turn.content()));
            }
        }
        messages.add(UserMessage.from(query));
        return messages;
    }

    /** The template of a route, as read at startup (for tests and diagnostics). */
    public String template(Route route) {
        return templates.get(route);
    }

    private static String read(String path) {
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the prompt template " + path, e);
        }
    }
}
