package dev.streamchat.ai.route;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.streamchat.ai.rag.Passage;

/**
 * How sources and the route appear inside a system prompt, defined once for the writer ({@link PromptBuilder}) and
 * the reader (the offline model, which answers from the prompt alone). Sources are numbered from 1 in passage order:
 * <pre>
 * &lt;source id="1" title="The Heart" page="3"&gt;
 * text
 * &lt;/source&gt;
 * </pre>
 * Each template's first line is {@code Task: <route wireName>.}
 */
public final class PromptFormat {

    /** The placeholder each template has where the sources go. */
    public static final String SOURCES_PLACEHOLDER = "{{sources}}";
    /** What stands in for the sources when retrieval found none. */
    public static final String NO_SOURCES = "(no sources matched this question)";

    private static final Pattern TASK = Pattern.compile("^Task: ([a-z_]+)\\.", Pattern.MULTILINE);
    private static final Pattern FINDING = Pattern.compile(
            "<finding question=\"([^\"]*)\" answered=\"(yes|no)\">\\n(.*?)\\n</finding>", Pattern.DOTALL);
    /** What stands in for the findings before the first research step. */
    public static final String NO_FINDINGS = "(none yet)";
    private static final Pattern SOURCE = Pattern.compile(
            "<source id=\"(\\d+)\" title=\"([^\"]*)\"(?: page=\"(\\d+)\")?>\\n(.*?)\\n</source>", Pattern.DOTALL);

    /** A Deep Research step's result as the next prompts show it: the sub-question, whether sources answered it, the text. */
    public record Finding(String question, boolean answered, String text) {
    }

    /** A source as the prompt shows it: its number and what the model may quote. */
    public record Source(int number, String title, Integer page, String text) {
    }

    private PromptFormat() {
    }

    /** The sources block: passages numbered [1]..[n] in the order given, or {@link #NO_SOURCES}. */
    public static String sources(List<Passage> passages) {
        if (passages == null || passages.isEmpty()) {
            return NO_SOURCES;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < passages.size(); i++) {
            Passage passage = passages.get(i);
            if (i > 0) {
                out.append("\n\n");
            }
            out.append("<source id=\"").append(i + 1).append("\" title=\"").append(attribute(passage.title())).append('"');
            if (passage.page() != null) {
                out.append(" page=\"").append(passage.page()).append('"');
            }
            out.append(">\n").append(body(passage.text())).append("\n</source>");
        }
        return out.toString();
    }

    /** The sources of a system prompt written by {@link #sources}, in number order. */
    public static List<Source> parseSources(String systemPrompt) {
        List<Source> sources = new ArrayList<>();
        if (systemPrompt == null) {
            return sources;
        }
        Matcher m = SOURCE.matcher(systemPrompt);
        while (m.find()) {
            sources.add(new Source(Integer.parseInt(m.group(1)), m.group(2),
                    m.group(3) == null ? null : Integer.valueOf(m.group(3)), m.group(4)));
        }
        return sources;
    }

    /** The findings block of a Deep Research prompt, or {@link #NO_FINDINGS}. */
    public static String findings(List<Finding> findings) {
        if (findings == null || findings.isEmpty()) {
            return NO_FINDINGS;
        }
        StringBuilder out = new StringBuilder();
        for (Finding finding : findings) {
            if (out.length() > 0) {
                out.append("\n\n");
            }
            out.append("<finding question=\"").append(attribute(finding.question())).append("\" answered=\"")
                    .append(finding.answered() ? "yes" : "no").append("\">\n")
                    .append(finding.text() == null ? "" : finding.text().strip().replace("</finding>", "</ finding>"))
                    .append("\n</finding>");
        }
        return out.toString();
    }

    /** The findings of a system prompt written by {@link #findings}, in order. */
    public static List<Finding> parseFindings(String systemPrompt) {
        List<Finding> findings = new ArrayList<>();
        if (systemPrompt == null) {
            return findings;
        }
        Matcher m = FINDING.matcher(systemPrompt);
        while (m.find()) {
            findings.add(new Finding(m.group(1), "yes".equals(m.group(2)), m.group(3)));
        }
        return findings;
    }

    /** The task of a system prompt's first line ({@code general_qa}, {@code research_plan}, ...), or null. */
    public static String parseTask(String systemPrompt) {
        if (systemPrompt == null) {
            return null;
        }
        Matcher m = TASK.matcher(systemPrompt);
        return m.find() ? m.group(1) : null;
    }

    /** The route a system prompt was written for, or null when it has no {@code Task:} line. */
    public static Route parseRoute(String systemPrompt) {
        if (systemPrompt == null) {
            return null;
        }
        Matcher m = TASK.matcher(systemPrompt);
        return m.find() ? Route.fromWireName(m.group(1)) : null;
    }

    private static String attribute(String value) {
        return value == null ? "" : value.replace('"', '\'').replace('\n', ' ');
    }

    /** A passage cannot close its own source element early. */
    private static String body(String text) {
        return text == null ? "" : text.strip().replace("</source>", "</ source>");
    }
}
