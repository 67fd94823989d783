package dev.streamchat.ai.model;

import java.util.Locale;

/** Classifies provider errors. */
public final class ModelErrors {

    private ModelErrors() {
    }

    /**
     * Whether the model rejected the prompt as too long: OpenAI answers 400 with {@code context_length_exceeded};
     * OpenAI-compatible servers and other providers say so in words.
     */
    public static boolean isPromptTooLong(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            String m = message.toLowerCase(Locale.ROOT);
            if (m.contains("context_length_exceeded")
                    || m.contains("maximum context length")
                    || m.contains("context length")
                    || m.contains("context window")
                    || m.contains("prompt is too long")
                    || m.contains("prompt too long")
                    || m.contains("too many tokens")
                    || m.contains("string_above_max_length")) {
                return true;
            }
        }
        return false;
    }
}
