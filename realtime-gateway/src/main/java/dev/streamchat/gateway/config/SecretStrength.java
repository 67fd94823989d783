package dev.streamchat.gateway.config;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether a production secret looks like a real random value: at least {@link #MIN_BYTES} bytes, not a known
 * placeholder ({@code change-me}, {@code changeme}, {@code secret}, ... also inside a longer value such as
 * {@code change-me-change-me-change-me-change-me}), and with enough distinct characters (Shannon entropy of at
 * least {@link #MIN_BITS_PER_CHAR} bits per character: hex is 4, base64 about 6, {@code aaaa...} is 0).
 */
final class SecretStrength {

    static final int MIN_BYTES = 32;
    static final double MIN_BITS_PER_CHAR = 3.0;
    private static final Set<String> PLACEHOLDERS = Set.of("changeme", "change-me", "change_me", "secret", "password",
            "placeholder", "replace-me", "replaceme", "your-");

    private SecretStrength() {
    }

    /** Why {@code value} is not acceptable in production, or null when it is. Never includes the value. */
    static String weakness(String value) {
        if (value == null || value.isBlank()) {
            return "missing";
        }
        if (value.getBytes(StandardCharsets.UTF_8).length < MIN_BYTES) {
            return "shorter than " + MIN_BYTES + " bytes";
        }
        String lower = value.toLowerCase(Locale.ROOT);
        for (String placeholder : PLACEHOLDERS) {
            if (lower.contains(placeholder)) {
                return "a placeholder";
            }
        }
        if (bitsPerChar(value) < MIN_BITS_PER_CHAR) {
            return "too predictable (too few distinct characters)";
        }
        return null;
    }

    static double bitsPerChar(String value) {
        Map<Integer, Integer> counts = new HashMap<>();
        value.codePoints().forEach(c -> counts.merge(c, 1, Integer::sum));
        int total = value.codePointCount(0, value.length());
        double bits = 0;
        for (int count : counts.values()) {
            double p = (double) count / total;
            bits -= p * Math.log(p) / Math.log(2);
        }
        return bits;
    }
}
