package dev.streamchat.ai.config;

import java.util.Optional;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runs {@link SettingsCheck} once the environment is complete and before logging starts and any bean is built: a bad
 * setting ends the process with exit code 2 and one line on stderr (what {@code main}'s {@link StartupCheck} does for
 * the mode, the provider and the keys). Registered in {@code META-INF/spring.factories}.
 */
public class SettingsCheckEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Optional<String> problem = SettingsCheck.problem(environment, "dev.streamchat.ai");
        if (problem.isPresent()) {
            System.err.println("ai-service: " + problem.get());
            System.err.flush();
            System.exit(2);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 5;
    }
}
