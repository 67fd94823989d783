package dev.streamchat.ai.route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.springframework.core.io.ClassPathResource;
import org.springframework.stereotype.Component;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.streamchat.ai.chat.ChatTurn;
import dev.streamchat.ai.rag.Passage;
import dev.streamchat.ai.route.PromptFormat.Finding;

/**
 * Builds the model's messages for the three phases of Deep Research from {@code classpath:prompts/research_plan.txt},
 * {@code research_update.txt} and {@code research_conclusion.txt} (read once at construction). Each phase's sources
 * are numbered [1]..[n] in the order given, as in {@link PromptBuilder}; findings use {@link PromptFormat#findings}.
 * Thread-safe.
 */
@Component
public class ResearchPrompts {

    public static final String PLAN = "research_plan";
    public static final String UPDATE = "research_update";
    public static final String CONCLUSION = "research_conclusion";

    private final String plan = read(PLAN);
    private final String update = read(UPDATE);
    private final String conclusion = read(CONCLUSION);

    /** The plan: the question (after the history it was asked in), with sources retrieved for the whole question. */
    public List<ChatMessage> plan(String question, List<ChatTurn> history, List<Passage> sources, int maxQuestions) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(plan.replace("{{max_questions}}", String.valueOf(maxQuestions))
                .replace(PromptFormat.SOURCES_PLACEHOLDER, PromptFormat.sources(sources)).strip()));
        if (history != null) {
            for (ChatTurn turn : history) {
                if (turn != null && turn.content() != null && !turn.content().isBlank()) {
                    messages.add("assistant".equals(turn.role()) ? AiMessage.from(turn.content())
                            : UserMessage.from(turn.content()));
                }
            }
        }
        messages.add(UserMessage.from(question));
        return messages;
    }

    /** One research step: the sub-question, with sources retrieved for it and the findings so far. */
    public List<ChatMessage> update(String question, String subQuestion, List<Finding> findings, List<Passage> sources) {
        String system = update.replace("{{question}}", oneLine(question))
                .replace("{{findings}}", PromptFormat.findings(findings))
                .replace(PromptFormat.SOURCES_PLACEHOLDER, PromptFormat.sources(sources));
        return List.of(SystemMessage.from(system.strip()), UserMessage.from(subQuestion));
    }

    /** The conclusion: the question, every finding, and the sources the findings cite, numbered as they cite them. */
    public List<ChatMessage> conclusion(String question, List<Finding> findings, List<Passage> sources) {
        String system = conclusion.replace("{{findings}}", PromptFormat.findings(findings))
                .replace(PromptFormat.SOURCES_PLACEHOLDER, PromptFormat.sources(sources));
        return List.of(SystemMessage.from(system.strip()), UserMessage.from(question));
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s+", " ").strip();
    }

    private static String read(String task) {
        String path = "prompts/" + task + ".txt";
        try (InputStream in = new ClassPathResource(path).getInputStream()) {
            String template = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n");
            if (!task.equals(PromptFormat.parseTask(template)) || !template.contains(PromptFormat.SOURCES_PLACEHOLDER)) {
                throw new IllegalStateException(path + " must start with 'Task: " + task + ".' and contain "
                        + PromptFormat.SOURCES_PLACEHOLDER);
            }
            return template;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the prompt template " + path, e);
        }
    }
}
