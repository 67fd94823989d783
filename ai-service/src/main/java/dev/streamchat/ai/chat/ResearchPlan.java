package dev.streamchat.ai.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the sub-questions out of a Deep Research plan the model wrote: its numbered list ("1. ...", "2) ..."). */
final class ResearchPlan {

    private static final Pattern NUMBERED = Pattern.compile("(?m)^\\s*(?:\\*\\*)?\\d{1,2}[.)](?:\\*\\*)?\\s+(.+?)\\s*$");

    private ResearchPlan() {
    }

    /**
     * The plan's sub-questions in order, without duplicates or Markdown emphasis, at most {@code max}; the question
     * itself when the plan lists none (a model that found nothing to split still gets one research step).
     */
    static List<String> subQuestions(String plan, String question, int max) {
        List<String> found = new ArrayList<>();
        Matcher m = NUMBERED.matcher(plan == null ? "" : plan);
        while (m.find() && found.size() < max) {
            String item = m.group(1).replace("**", "").replaceAll("\\[\\d+(?:,\\s*\\d+)*]", "").strip();
            if (!item.isEmpty() && !found.contains(item)) {
                found.add(item);
            }
        }
        if (found.isEmpty()) {
            found.add(question.strip());
        }
        return found;
    }
}
