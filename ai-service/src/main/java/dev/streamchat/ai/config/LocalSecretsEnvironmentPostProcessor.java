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
 * property source, so the real environment always wins). In production it refuses to go on with a missing or weak
 * key (the one-line message for a plain start comes earlier, from {@link StartupCheck} in {@code main}; this covers
 * every other way of starting the context). Also chooses the interface: {@code AI_SERVICE_HOST} when set, else
 * {@code 127.0.0.1} in local mode (a laptop's service is not reachable from the network) and every interface in
 * production (containers are reached through their network).
 */
public class LocalSecretsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "localSecrets";
    static final String HOST_SOURCE_NAME = "serviceHost";
    static final String LOCAL_HOST = "127.0.0.1";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        AppMode mode = AppMode.parse(environment.getProperty("APP_MODE"));
        bindAddress(environment, mode);
        if (mode == AppMode.PRODUCTION) {
            StartupCheck.problem(environment::getProperty).ifPresent(problem -> {
                throw new IllegalStateException(problem);
            });
        }
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

    /** {@code server.address} from {@code AI_SERVICE_HOST}, or loopback in local mode; an explicit one wins. */
    private static void bindAddress(ConfigurableEnvironment environment, AppMode mode) {
        String host = environment.getProperty("AI_SERVICE_HOST");
        String address = host != null && !host.isBlank() ? host.strip() : mode == AppMode.LOCAL ? LOCAL_HOST : null;
        if (address != null) {
            environment.getPropertySources().addLast(
                    new MapPropertySource(HOST_SOURCE_NAME, Map.of("server.address", address)));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
