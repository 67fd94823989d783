package dev.streamchat.ai.config;

import dev.streamchat.settings.SettingsCheck;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;

/**
 * {@link SettingsCheck} against the real {@code application.yml} and one bad variable at a time, as the process
 * environment would give it: every kind of setting is named by its variable in one line.
 */
class SettingsCheckTests {

    @Test
    void theDefaultsAreUsable() throws IOException {
        assertThat(check(Map.of())).isEmpty();
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "AI_SERVICE_PORT | 99999 | AI_SERVICE_PORT (server.port) must be a port between 0 and 65535, not '99999'",
            "RAG_SEARCH_MODE | fuzzy | RAG_SEARCH_MODE (ai.rag.search-mode) must be one of scan, atlas, not 'fuzzy'",
            "RAG_TOP_K | 0 | RAG_TOP_K (ai.rag.top-k) must be greater than 0, not '0'",
            "RAG_MIN_SCORE | 2 | RAG_MIN_SCORE (ai.rag.min-score) must be less than or equal to 1.0, not '2.0'",
            "RAG_SAMPLE_LIBRARY | sometimes | RAG_SAMPLE_LIBRARY (ai.rag.sample-library) must be true or false, not 'sometimes'",
            "STREAM_KEEPALIVE_MS | often | STREAM_KEEPALIVE_MS (ai.stream.keepalive) must be a duration such as 500ms, 10s or 5m, not 'oftenms'",
            "STREAM_MAX_DURATION_S | -1 | STREAM_MAX_DURATION_S (ai.stream.max-duration) must not be negative, not 'PT-1S'",
            "UPLOAD_MAX_BYTES | -1 | UPLOAD_MAX_BYTES (ai.rag.upload-max-size) must not be negative, not '-1B'",
            "OPENAI_BASE_URL | localhost:11434/v1 | OPENAI_BASE_URL (ai.model.openai.base-url) must be an http:// or https:// URL with a host",
            "OPENAI_MAX_TOKENS | -1 | OPENAI_MAX_TOKENS (ai.model.openai.max-tokens) must be greater than 0, not '-1'",
            "OPENAI_TPM_LIMIT | many | OPENAI_TPM_LIMIT (ai.tpm.limit) must be a whole number, not 'many'",
            "LOCAL_TOKENS_PER_SECOND | 0 | LOCAL_TOKENS_PER_SECOND (ai.local.tokens-per-second) must be greater than 0, not '0.0'",
            "SYNTHETIC_TOKENS_PER_SECOND | fast | SYNTHETIC_TOKENS_PER_SECOND (ai.model.synthetic.tokens-per-second) must be a number, not 'fast'",
            "AI_MAX_QUERY_CHARS | -8000 | AI_MAX_QUERY_CHARS (ai.chat.max-query-chars) must be greater than 0, not '-8000'",
            "REDIS_URL | localhost:6379 | REDIS_URL (spring.data.redis.url) must be a redis:// or rediss:// URL with a host (value not shown)",
            "MONGODB_URI | postgres://db/chat | MONGODB_URI (spring.mongodb.uri) must be a mongodb:// or mongodb+srv:// connection string (value not shown)",
    })
    void aBadSettingIsNamedInOneLine(String variable, String value, String expected) throws IOException {
        Optional<String> problem = check(Map.of(variable, value));
        assertThat(problem).hasValue(expected);
        assertThat(problem.get()).doesNotContain("\n");
    }

    private static Optional<String> check(Map<String, String> variables) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addLast(new MapPropertySource("variables", new HashMap<>(variables)));
        for (var source : new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))) {
            environment.getPropertySources().addLast(source);
        }
        return SettingsCheck.problem(environment, "dev.streamchat.ai");
    }
}
