package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes Secret as shipped ({@code infra/deploy/k8s/secret.yaml}) is refused by production validation:
 * applying it without filling it in cannot start a gateway with a guessable key.
 */
class DeploySecretTests {

    @TempDir
    Path dataDir;

    @Test
    void theShippedSecretDoesNotPassProductionValidation() throws IOException {
        Map<String, String> values = shippedSecret();
        assertThat(values).containsKeys(SecretsResolver.JWT_SECRET, SecretsResolver.AI_SERVICE_API_KEY);
        assertThatThrownBy(() -> SecretsResolver.resolve(AppMode.PRODUCTION, values::get, dataDir))
                .isInstanceOf(StartupConfigurationException.class)
                .hasMessageContaining(SecretsResolver.JWT_SECRET);
        assertThat(dataDir.toFile().list()).isEmpty();
    }

    @SuppressWarnings("unchecked")
    static Map<String, String> shippedSecret() throws IOException {
        Map<String, Object> secret = new Yaml().load(Files.readString(Path.of("..", "infra", "deploy", "k8s", "secret.yaml")));
        return (Map<String, String>) secret.get("stringData");
    }
}
