package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretsResolverTests {

    private static final String LONG_SECRET = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dataDir;

    @Test
    void productionNamesTheFirstMissingSecretAndWritesNothing() {
        assertThatThrownBy(() -> SecretsResolver.resolve(AppMode.PRODUCTION, Map.<String, String>of()::get, dataDir))
                .isInstanceOf(StartupConfigurationException.class)
                .hasMessage("JWT_SECRET is required when APP_MODE=production");
        assertThatThrownBy(() -> SecretsResolver.resolve(AppMode.PRODUCTION, Map.of("JWT_SECRET", LONG_SECRET)::get, dataDir))
                .hasMessage("AI_SERVICE_API_KEY is required when APP_MODE=production");
        assertThat(dataDir.resolve(SecretsResolver.LOCAL_SECRETS_FILE)).doesNotExist();
    }

    @Test
    void productionTakesBothFromTheEnvironment() {
        String key = "Qm3xT8vL2pR7wK9zN4cH6jB1fD5gS0yA"; // production refuses weak keys (SecretStrengthTests)
        Map<String, String> env = Map.of("JWT_SECRET", LONG_SECRET, "AI_SERVICE_API_KEY", key);
        assertThat(SecretsResolver.resolve(AppMode.PRODUCTION, env::get, dataDir))
                .containsEntry("JWT_SECRET", LONG_SECRET).containsEntry("AI_SERVICE_API_KEY", key);
        assertThat(dataDir.resolve(SecretsResolver.LOCAL_SECRETS_FILE)).doesNotExist();
    }

    @Test
    void localGeneratesMissingSecretsOnceAndKeepsThem() throws IOException {
        Map<String, String> first = SecretsResolver.resolve(AppMode.LOCAL, name -> null, dataDir);
        assertThat(first.get("JWT_SECRET")).matches("[0-9a-f]{64}");
        assertThat(first.get("AI_SERVICE_API_KEY")).matches("[0-9a-f]{64}").isNotEqualTo(first.get("JWT_SECRET"));
        Map<String, String> second = SecretsResolver.resolve(AppMode.LOCAL, name -> null, dataDir);
        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllLines(dataDir.resolve(SecretsResolver.LOCAL_SECRETS_FILE)))
                .containsExactly("JWT_SECRET=" + first.get("JWT_SECRET"), "AI_SERVICE_API_KEY=" + first.get("AI_SERVICE_API_KEY"));
    }

    @Test
    void localPrefersTheEnvironmentAndReadsAFileWrittenByRunSh() throws IOException {
        Files.writeString(dataDir.resolve(SecretsResolver.LOCAL_SECRETS_FILE),
                "# written by run.sh\nAI_SERVICE_API_KEY=\"from-file\"\nJWT_SECRET=" + "f".repeat(40) + "\n");
        Map<String, String> env = new HashMap<>();
        env.put("JWT_SECRET", LONG_SECRET);
        Map<String, String> resolved = SecretsResolver.resolve(AppMode.LOCAL, env::get, dataDir);
        assertThat(resolved).containsEntry("JWT_SECRET", LONG_SECRET).containsEntry("AI_SERVICE_API_KEY", "from-file");
    }

    @Test
    void refusesAJwtSecretShorterThan32Bytes() {
        Map<String, String> env = Map.of("JWT_SECRET", "short", "AI_SERVICE_API_KEY", "key");
        assertThatThrownBy(() -> SecretsResolver.resolve(AppMode.LOCAL, env::get, dataDir))
                .isInstanceOf(StartupConfigurationException.class)
                .hasMessage("JWT_SECRET must be at least 32 bytes long");
    }

    @Test
    void parsesTheMode() {
        assertThat(AppMode.parse(null)).isEqualTo(AppMode.LOCAL);
        assertThat(AppMode.parse(" Production ")).isEqualTo(AppMode.PRODUCTION);
        assertThatThrownBy(() -> AppMode.parse("prod")).hasMessage("APP_MODE must be local or production, not 'prod'");
    }
}
