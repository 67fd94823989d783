package dev.streamchat.gateway.config;

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
            "SOCKET_PORT | 70000 | SOCKET_PORT (gateway.socket.port) must be less than or equal to 65535, not '70000'",
            "SOCKET_PORT | http | SOCKET_PORT (gateway.socket.port) must be a whole number, not 'http'",
            "GATEWAY_PORT | -1 | GATEWAY_PORT (server.port) must be a port between 0 and 65535, not '-1'",
            "STREAM_TIMEOUT_MS | soon | STREAM_TIMEOUT_MS (gateway.stream.idle-timeout) must be a duration such as 500ms, 10s or 5m, not 'soonms'",
            "STREAM_MAX_DURATION_S | -5 | STREAM_MAX_DURATION_S (gateway.stream.max-duration) must not be negative, not 'PT-5S'",
            "UPLOAD_MAX_BYTES | -10MB | UPLOAD_MAX_BYTES (gateway.documents.upload-max-bytes) must not be negative, not '-10485760B'",
            "UPLOAD_MAX_BYTES | lots | UPLOAD_MAX_BYTES (gateway.documents.upload-max-bytes) must be a size such as 16384, 64KB or 10MB, not 'lots'",
            "RATE_LIMIT_CHAT_PER_MIN | 0 | RATE_LIMIT_CHAT_PER_MIN (gateway.ratelimit.chat-per-minute) must be greater than 0, not '0'",
            "FREE_TIER_CHATS_PER_MONTH | -3 | FREE_TIER_CHATS_PER_MONTH (gateway.quota.free-chats-per-month) must be greater than 0, not '-3'",
            "ENABLE_STREAMING | maybe | ENABLE_STREAMING (gateway.stream.enable-streaming) must be true or false, not 'maybe'",
            "COOKIE_SECURE | yes please | COOKIE_SECURE (gateway.auth.cookie-secure) must be true or false, not 'yes please'",
            "AI_SERVICE_URL | ftp://files | AI_SERVICE_URL (gateway.ai.url) must be an http:// or https:// URL with a host",
            "AI_SERVICE_URL | not a url | AI_SERVICE_URL (gateway.ai.url) must be a URL",
            "REDIS_URL | http://cache:6379 | REDIS_URL (spring.data.redis.url) must be a redis:// or rediss:// URL with a host (value not shown)",
            "MONGODB_URI | mongo:27017/chat | MONGODB_URI (spring.mongodb.uri) must be a mongodb:// or mongodb+srv:// connection string (value not shown)",
            "SHUTDOWN_GRACE_S | -1 | SHUTDOWN_GRACE_S (spring.lifecycle.timeout-per-shutdown-phase) must not be negative, not 'PT-1S'",
            "SOCKET_MAX_PAYLOAD_BYTES | big | SOCKET_MAX_PAYLOAD_BYTES (gateway.socket.max-payload) must be a size such as 16384, 64KB or 10MB, not 'bigB'",
            "JWT_TTL | forever | JWT_TTL (gateway.auth.jwt-ttl) must be a duration such as 500ms, 10s or 5m, not 'forever'",
    })
    void aBadSettingIsNamedInOneLine(String variable, String value, String expected) throws IOException {
        Optional<String> problem = check(Map.of(variable, value));
        assertThat(problem).hasValue(expected);
        assertThat(problem.get()).doesNotContain("\n");
    }

    @Test
    void urlsAndSecretsAreNeverEchoed() throws IOException {
        assertThat(check(Map.of("REDIS_URL", "http://user:hunter2@cache:6379"))).get().asString().doesNotContain("hunter2");
        assertThat(check(Map.of("MONGODB_URI", "mongo://user:hunter2@db"))).get().asString().doesNotContain("hunter2");
    }

    private static Optional<String> check(Map<String, String> variables) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addLast(new MapPropertySource("variables", new HashMap<>(variables)));
        // What SecretsEnvironmentPostProcessor adds before this check runs.
        environment.getPropertySources().addLast(new MapPropertySource("resolved-secrets",
                Map.of(SecretsEnvironmentPostProcessor.JWT_SECRET_PROPERTY, TestBackends.JWT_SECRET)));
        for (var source : new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))) {
            environment.getPropertySources().addLast(source);
        }
        return SettingsCheck.problem(environment, "dev.streamchat.gateway");
    }
}
