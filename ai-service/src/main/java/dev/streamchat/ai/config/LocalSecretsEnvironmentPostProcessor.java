package dev.streamchat.ai.config;

import java.nio.file.Path;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * In local mode, supplies a missing {@code AI_SERVICE_API_KEY} from {@link LocalSecrets} (as the lowest-precedence
 * property source, so the real environment always wins). In production it refuses to go on without the key; the
 * one-line message for a plain start comes earlier, from {@link StartupCheck} in {@code main}.
 */
public class LocalSecretsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "localSecrets";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        AppMode mode = AppMode.parse(environment.getProperty("APP_MODE"));
        String key = environment.getProperty("AI_SERVICE_API_KEY");
        if (key != null && !key.isBlank()) {
            return;
        }
        if (mode != AppMode.LOCAL) {
            throw new IllegalStateException("AI_SERVICE_API_KEY is required when APP_MODE=production");
        }
        Path dataDir = Path.of(environment.getProperty("DATA_DIR", "data"));
        Map<String, String> secrets = LocalSecrets.loadOrCreate(dataDir);
        environment.getPropertySources().addLast(
                new MapPropertySource(SOURCE_NAME, Map.of("AI_SERVICE_API_KEY", secrets.get("AI_SERVICE_API_KEY"))));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
