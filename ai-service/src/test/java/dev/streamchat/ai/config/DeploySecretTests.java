package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes Secret as shipped ({@code infra/deploy/k8s/secret.yaml}), with the ConfigMap beside it, is refused
 * by the ai-service's production check: applying it without filling it in cannot start a service with a known key.
 */
class DeploySecretTests {

    @Test
    void theShippedSecretDoesNotPassProductionValidation() throws IOException {
        Map<String, String> env = new HashMap<>(data("config.yaml", "data"));
        env.putAll(data("secret.yaml", "stringData"));
        assertThat(env).containsEntry("APP_MODE", "production").containsKey("AI_SERVICE_API_KEY");

        assertThat(StartupCheck.problem(env::get)).isPresent().get().asString()
                .containsAnyOf("AI_SERVICE_API_KEY", "OPENAI_API_KEY");
        env.put("OPENAI_API_KEY", "sk-test");
        assertThat(StartupCheck.problem(env::get)).hasValue("AI_SERVICE_API_KEY is required when APP_MODE=production");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> data(String file, String key) throws IOException {
        Map<String, Object> object = new Yaml().load(Files.readString(Path.of("..", "infra", "deploy", "k8s", file)));
        return (Map<String, String>) object.get(key);
    }
}
