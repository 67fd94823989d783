package dev.streamchat.gateway.config;

import java.util.Locale;

/** How the gateway runs ({@code APP_MODE}): {@code local} generates what it lacks, {@code production} demands it. */
public enum AppMode {
    LOCAL, PRODUCTION;

    /** The mode named by {@code value}; {@code local} when blank. */
    public static AppMode parse(String value) {
        if (value == null || value.isBlank()) {
            return LOCAL;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new StartupConfigurationException("APP_MODE must be local or production, not '" + value.trim() + "'");
        }
    }
}
