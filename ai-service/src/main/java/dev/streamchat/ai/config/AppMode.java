package dev.streamchat.ai.config;

import java.util.Locale;

/** {@code APP_MODE}: {@code local} (the default: dev secrets generated on first start) or {@code production}. */
public enum AppMode {
    LOCAL, PRODUCTION;

    /** The mode named {@code value}; blank means local; null for an unknown name. */
    public static AppMode parse(String value) {
        if (value == null || value.isBlank()) {
            return LOCAL;
        }
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException unknown) {
            return null;
        }
    }
}
