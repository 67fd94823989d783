package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class StartupCheckTests {

    private static java.util.Optional<String> check(Map<String, String> env) {
        return StartupCheck.problem(env::get);
    }

    @Test
    void localModeNeedsNothing() {
        assertThat(check(Map.of())).isEmpty();
        assertThat(check(Map.of("APP_MODE", "local"))).isEmpty();
    }

    @Test
    void productionNeedsTheServiceKey() {
        assertThat(check(Map.of("APP_MODE", "production")))
                .contains("AI_SERVICE_API_KEY is required when APP_MODE=production");
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", "  ")))
                .contains("AI_SERVICE_API_KEY is required when APP_MODE=production");
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", "k"))).isEmpty();
    }

    @Test
    void theOpenAiProviderNeedsItsKey() {
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", "k", "AI_PROVIDER", "openai")))
                .contains("OPENAI_API_KEY is required when AI_PROVIDER=openai");
        assertThat(check(Map.of("AI_PROVIDER", "openai", "OPENAI_API_KEY", "sk"))).isEmpty();
    }

    @Test
    void unknownNamesAreRefused() {
        assertThat(check(Map.of("APP_MODE", "staging"))).contains("APP_MODE must be local or production, not 'staging'");
        assertThat(check(Map.of("AI_PROVIDER", "gemini")))
                .contains("AI_PROVIDER must be openai, local or synthetic, not 'gemini'");
    }
}
