package dev.streamchat.gateway.config;

import dev.streamchat.settings.ExitOnBadSettings;

/**
 * Checks every gateway setting once the secrets are resolved ({@code SecretsEnvironmentPostProcessor} runs first)
 * and before any bean is built: a bad one ends the process with exit code 2 and one line on stderr. Registered in
 * {@code META-INF/spring.factories}.
 */
public class SettingsCheckEnvironmentPostProcessor extends ExitOnBadSettings {

    public SettingsCheckEnvironmentPostProcessor() {
        super("realtime-gateway cannot start: ", "dev.streamchat.gateway");
    }
}
