package dev.streamchat.gateway.config;

import java.util.Optional;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runs {@link SettingsCheck} once the environment is complete (after the secrets are resolved) and before logging
 * starts and any bean is built: a bad setting ends the process with exit code 2 and one line on stderr. Registered in
 * {@code META-INF/spring.factories}.
 */
public class SettingsCheckEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Optional<String> problem = SettingsCheck.problem(environment, "dev.streamchat.gateway");
        if (problem.isPresent()) {
            System.err.println("realtime-gateway cannot start: " + problem.get());
            System.err.flush();
            System.exit(2);
        }
    }

    @Override
    public int getOrder() {
        // After SecretsEnvironmentPostProcessor (LOWEST_PRECEDENCE - 10).
        return Ordered.LOWEST_PRECEDENCE - 5;
    }
}
