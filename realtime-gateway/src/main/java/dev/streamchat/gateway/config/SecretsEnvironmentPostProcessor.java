package dev.streamchat.gateway.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Resolves the secrets before any bean is built and exposes them as {@code gateway.auth.jwt-secret} and
 * {@code gateway.ai.api-key} (plus the plain variable names, so {@code ${AI_SERVICE_API_KEY}} placeholders resolve
 * too). A missing or unusable secret ends the process at once with one line on stderr, because a stack trace would
 * bury the only thing the operator needs to read. Registered in {@code META-INF/spring.factories}.
 */
public class SecretsEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String PROPERTY_SOURCE_NAME = "streamchatResolvedSecrets";
    /** The property the relay reads its ai-service key from. */
    public static final String AI_API_KEY_PROPERTY = "gateway.ai.api-key";
    public static final String JWT_SECRET_PROPERTY = "gateway.auth.jwt-secret";
    /** The default bind address of both servers: loopback in local mode, every interface in production. */
    static final String MODE_DEFAULT_HOST = "streamchat.mode-default.host";
    /** The default of {@code COOKIE_SECURE}: true in production (behind TLS), false in local mode (plain http). */
    static final String MODE_DEFAULT_COOKIE_SECURE = "streamchat.mode-default.cookie-secure";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
            return;
        }
        try {
            AppMode mode = AppMode.parse(environment.getProperty("APP_MODE"));
            Path dataDir = Path.of(environment.getProperty("DATA_DIR", "data"));
            Map<String, String> secrets = SecretsResolver.resolve(mode, environment::getProperty, dataDir);
            Map<String, Object> properties = new LinkedHashMap<>(secrets);
            properties.put(JWT_SECRET_PROPERTY, secrets.get(SecretsResolver.JWT_SECRET));
            properties.put(AI_API_KEY_PROPERTY, secrets.get(SecretsResolver.AI_SERVICE_API_KEY));
            properties.put("gateway.app.mode", mode.name().toLowerCase(java.util.Locale.ROOT));
            // Defaults that depend on the mode; application.yml falls back to them when the variable is unset.
            properties.put(MODE_DEFAULT_HOST, mode == AppMode.PRODUCTION ? "0.0.0.0" : "127.0.0.1");
            properties.put(MODE_DEFAULT_COOKIE_SECURE, Boolean.toString(mode == AppMode.PRODUCTION));
            // Last: anything set explicitly (system properties, test properties, application.yml) still wins.
            environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, properties));
        } catch (StartupConfigurationException e) {
            System.err.println("realtime-gateway cannot start: " + e.getMessage());
            System.err.flush();
            System.exit(2);
        }
    }

    @Override
    public int getOrder() {
        // After application.yml and the environment are loaded.
        return Ordered.LOWEST_PRECEDENCE - 10;
    }
}
