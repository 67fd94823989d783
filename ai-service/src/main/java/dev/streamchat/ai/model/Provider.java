package dev.streamchat.ai.model;

import java.util.Locale;

/** The model providers of {@code AI_PROVIDER}; {@link #wireName()} is what {@code done.provider} says. */
public enum Provider {
    OPENAI, LOCAL, SYNTHETIC;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The provider named {@code name} (any case), or null for a name that is none of them. */
    public static Provider fromName(String name) {
        for (Provider provider : values()) {
            if (provider.wireName().equalsIgnoreCase(name == null ? "" : name.strip())) {
                return provider;
            }
        }
        return null;
    }
}
