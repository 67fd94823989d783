package dev.streamchat.ai.config;

import java.util.List;
import java.util.Locale;

/**
 * Recognises secrets that must never run in production: placeholders copied from examples ({@code change-me},
 * {@code secret}, {@code your-api-key} ...), keys shorter than 32 characters, and low-entropy ones (a few characters
 * repeated). Pure.
 */
final class SecretStrength {

    static final int MIN_KEY_CHARS = 32;
    private static final int MIN_DISTINCT_CHARS = 10;
    private static final List<String> PLACEHOLDERS = List.of("changeme", "change_me", "replaceme", "placeholder",
            "your", "secret", "password", "example", "dummy", "default", "notset",
            "todo", "fixme", "xxxx", "1234");

    private SecretStrength() {
    }

    /** True when {@code value} looks like a placeholder rather than a real secret. */
    static boolean isPlaceholder(String value) {
        String folded = value.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "").replace("_", "");
        return PLACEHOLDERS.stream().map(p -> p.replace("_", "")).anyMatch(folded::contains)
                || value.strip().chars().distinct().count() < 4;
    }

    /** Why {@code value} is too weak to be a shared service key, or null when it is fine. */
    static String weaknessOfKey(String value) {
        String key = value.strip();
        if (isPlaceholder(key)) {
            return "is a placeholder";
        }
        if (key.length() < MIN_KEY_CHARS) {
            return "is shorter than " + MIN_KEY_CHARS + " characters";
        }
        if (key.chars().distinct().count() < MIN_DISTINCT_CHARS) {
            return "repeats too few characters to be random";
        }
        return null;
    }
}
