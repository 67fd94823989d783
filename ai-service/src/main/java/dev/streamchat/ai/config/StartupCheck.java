package dev.streamchat.ai.config;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.streamchat.ai.model.Provider;

/**
 * The configuration errors that must stop the ai-service before Spring starts, each described in one line that names
 * the variable (CONTRACT.md section 0): in production {@code AI_SERVICE_API_KEY} is required and must be strong (at
 * least 32 characters, not a placeholder such as {@code change-me}, not a few characters repeated), and
 * {@code OPENAI_API_KEY} is required when {@code AI_PROVIDER=openai} and must not be a placeholder in production;
 * {@code APP_MODE} and {@code AI_PROVIDER} must be known names. Pure: reads only the lookup it is given.
 */
public final class StartupCheck {

    private StartupCheck() {
    }

    /** The problem with {@code env}, if any. */
    public static Optional<String> problem(Function<String, String> env) {
        String modeName = env.apply("APP_MODE");
        AppMode mode = AppMode.parse(modeName);
        if (mode == null) {
            return Optional.of("APP_MODE must be local or production, not '" + modeName.strip() + "'");
        }
        String providerName = env.apply("AI_PROVIDER");
        boolean providerSet = providerName != null && !providerName.isBlank();
        if (providerSet && Provider.fromName(providerName) == null) {
            return Optional.of("AI_PROVIDER must be openai, local or synthetic, not '" + providerName.strip() + "'");
        }
        if (providerSet && Provider.fromName(providerName) == Provider.OPENAI && blank(env.apply("OPENAI_API_KEY"))) {
            return Optional.of("OPENAI_API_KEY is required when AI_PROVIDER=openai");
        }
        if (mode == AppMode.PRODUCTION && blank(env.apply("AI_SERVICE_API_KEY"))) {
            return Optional.of("AI_SERVICE_API_KEY is required when APP_MODE=production");
        }
        if (mode == AppMode.PRODUCTION) {
            String weakness = SecretStrength.weaknessOfKey(env.apply("AI_SERVICE_API_KEY"));
            if (weakness != null) {
                return Optional.of("AI_SERVICE_API_KEY " + weakness + "; APP_MODE=production needs at least "
                        + SecretStrength.MIN_KEY_CHARS + " random characters (e.g. openssl rand -hex 32)");
            }
            if (providerSet && Provider.fromName(providerName) == Provider.OPENAI
                    && SecretStrength.isPlaceholder(env.apply("OPENAI_API_KEY"))) {
                return Optional.of("OPENAI_API_KEY is a placeholder; APP_MODE=production with AI_PROVIDER=openai needs the real key");
            }
        }
        String host = env.apply("AI_SERVICE_HOST");
        if (host != null && !host.isBlank() && !host.strip().matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
            return Optional.of("AI_SERVICE_HOST must be an interface address or host name, not '" + host.strip() + "'");
        }
        return Optional.empty();
    }

    /** {@link #problem(Function)} over the process environment, system properties winning. */
    public static Optional<String> problemInProcess() {
        Map<String, String> env = System.getenv();
        return problem(name -> {
            String property = System.getProperty(name);
            return property != null ? property : env.get(name);
        });
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
