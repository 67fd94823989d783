package dev.streamchat.ai.config;

import dev.streamchat.settings.ExitOnBadSettings;

/**
 * Checks every ai-service setting before any bean is built: a bad one ends the process with exit code 2 and one line
 * on stderr (what {@code main}'s {@link StartupCheck} does for the mode, the provider and the keys). Registered in
 * {@code META-INF/spring.factories}.
 */
public class SettingsCheckEnvironmentPostProcessor extends ExitOnBadSettings {

    public SettingsCheckEnvironmentPostProcessor() {
        super("ai-service: ", "dev.streamchat.ai");
    }
}
