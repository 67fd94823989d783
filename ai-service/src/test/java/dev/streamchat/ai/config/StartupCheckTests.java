package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", STRONG))).isEmpty();
    }

    static final String STRONG = "9f2c4e7a1b3d5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f7";

    @ParameterizedTest
    @ValueSource(strings = {"change-me", "changeme", "CHANGE_ME_PLEASE_0123456789abcdefghij", "secret",
            "my-secret-key-for-the-ai-service-0123456789", "your-api-key-goes-here-0123456789abcdef",
            "short-but-random-Xq9", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "abababababababababababababababab12",
            "0123012301230123012301230123012301230123"})
    void productionRefusesWeakOrPlaceholderServiceKeys(String key) {
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", key)))
                .hasValueSatisfying(line -> assertThat(line).startsWith("AI_SERVICE_API_KEY ")
                        .contains("APP_MODE=production needs at least 32 random characters").doesNotContain("\n"));
    }

    @Test
    void localModeAcceptsAnyKey() {
        assertThat(check(Map.of("AI_SERVICE_API_KEY", "change-me"))).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"change-me", "sk-xxxxxxxxxxxxxxxx", "your-openai-api-key", "sk-placeholder", "dummy"})
    void productionRefusesAPlaceholderOpenAiKey(String key) {
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", STRONG, "AI_PROVIDER", "openai",
                "OPENAI_API_KEY", key)))
                .contains("OPENAI_API_KEY is a placeholder; APP_MODE=production with AI_PROVIDER=openai needs the real key");
        assertThat(check(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", STRONG, "AI_PROVIDER", "openai",
                "OPENAI_API_KEY", "sk-proj-4fT9qLm2ZxV8bN1cR7yK3wE6uH0sD5aJ"))).isEmpty();
    }

    @Test
    void aMalformedHostIsRefused() {
        assertThat(check(Map.of("AI_SERVICE_HOST", "0.0.0.0; rm"))).hasValueSatisfying(
                line -> assertThat(line).startsWith("AI_SERVICE_HOST must be"));
        assertThat(check(Map.of("AI_SERVICE_HOST", "0.0.0.0"))).isEmpty();
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
