package dev.streamchat.ai.model.local;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.streamchat.ai.route.PromptFormat;
import dev.streamchat.ai.route.PromptFormat.Finding;
import dev.streamchat.ai.route.ResearchPrompts;

/**
 * The offline provider's Deep Research, honestly extractive: the plan's sub-questions are the question's own parts;
 * a research step quotes the sentence that answers its sub-question with its {@code [n]}, or says the sources do
 * not answer it; the conclusion lists what was found (re-quoting each finding with its number) and what was not.
 * Pure and deterministic.
 */
final class ResearchWriter {

    private static final Pattern MAX_QUESTIONS = Pattern.compile("at most (\\d+) focused sub-questions");
    /** Where a question splits into parts: after ? or ;, between sentences, and before a new question word. */
    private static final Pattern SENTENCE_BREAK = Pattern.compile("(?<=[?;])\\s+|(?<=\\.)\\s+(?=[A-Z])");
    private static final Pattern CLAUSE_BREAK = Pattern.compile(
            "\\s*(?:,\\s*(?:and|or|but)?|\\band|\\bor|\\bbut|\\balso)\\s+(?=(?:what|how|why|which|who|whom|whose|when|where|"
                    + "whether|is|are|does|do|did|can|could|should|would|will)\\b)", Pattern.CASE_INSENSITIVE);
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]{12,})\" \\[(\\d+)]");

    private ResearchWriter() {
    }

    static String write(String task, String system, String question) {
        return switch (task) {
            case ResearchPrompts.PLAN -> plan(question, maxQuestions(system));
            case ResearchPrompts.UPDATE -> update(question, PromptFormat.parseSources(system));
            case ResearchPrompts.CONCLUSION -> conclusion(PromptFormat.parseFindings(system));
            default -> throw new IllegalArgumentException("unknown research task " + task);
        };
    }

    private static String plan(String question, int max) {
        List<String> parts = parts(question);
        List<String> chosen = parts.subList(0, Math.min(max, parts.size()));
        StringBuilder out = new StringBuilder(chosen.size() == 1
                ? "The question has one part, so I will look in your sources for it:\n"
                : "I will look in your sources for each part of the question:\n");
        for (int i = 0; i < chosen.size(); i++) {
            out.append('\n').append(i + 1).append(". ").append(chosen.get(i));
        }
        if (parts.size() > chosen.size()) {
            out.append("\n\n(The question has ").append(parts.size()).append(" parts; I can research ").append(max)
                    .append(" of them in one run.)");
        }
        return out.toString();
    }

    private static String update(String subQuestion, List<PromptFormat.Source> sources) {
        String finding = ExtractiveAnswerer.finding(subQuestion, sources);
        if (finding == null) {
            return "Your sources don't answer this: none of the passages I found for it says anything that matches it.";
        }
        return finding;
    }

    private static String conclusion(List<Finding> findings) {
        List<Finding> found = findings.stream().filter(Finding::answered).toList();
        List<Finding> missing = findings.stream().filter(f -> !f.answered()).toList();
        StringBuilder out = new StringBuilder();
        if (found.isEmpty()) {
            out.append("Your sources answer none of the ").append(findings.size() == 1 ? "question's parts" : findings.size()
                    + " parts of the question").append(", so I can't answer it from them.");
        } else {
            out.append("Your sources answer ").append(found.size() == findings.size() ? "every part" : found.size()
                    + " of the " + findings.size() + " parts").append(" of the question.\n\nFound in the sources:");
            for (Finding finding : found) {
                out.append("\n- ").append(finding.question());
                Matcher quote = QUOTED.matcher(finding.text());
                if (quote.find()) {
                    out.append(" \"").append(quote.group(1)).append("\" [").append(quote.group(2)).append(']');
                }
            }
        }
        if (!missing.isEmpty()) {
            out.append("\n\nNot found in the sources:");
            for (Finding finding : missing) {
                out.append("\n- ").append(finding.question());
            }
        }
        return out.toString();
    }

    /** The question's parts as sub-questions, each ending in "?"; the whole question when it has one part. */
    static List<String> parts(String question) {
        List<String> parts = new ArrayList<>();
        for (String sentence : SENTENCE_BREAK.split(question.strip())) {
            for (String clause : CLAUSE_BREAK.split(sentence)) {
                String part = clause.strip().replaceAll("^(?i)(and|or|but|also)\\s+", "").replaceAll("[\\s?.!;,]+$", "");
                if (part.split("\\s+").length >= 2) {
                    parts.add(Character.toUpperCase(part.charAt(0)) + part.substring(1) + "?");
                }
            }
        }
        if (parts.isEmpty()) {
            parts.add(question.strip());
        }
        return parts;
    }

    private static int maxQuestions(String system) {
        Matcher m = MAX_QUESTIONS.matcher(system == null ? "" : system.toLowerCase(Locale.ROOT));
        return m.find() ? Math.max(1, Integer.parseInt(m.group(1))) : 3;
    }
}
