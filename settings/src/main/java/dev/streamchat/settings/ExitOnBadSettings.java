package dev.streamchat.settings;

import java.util.Optional;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Runs {@link SettingsCheck} once the environment is complete and before logging starts and any bean is built: a bad
 * setting ends the process with exit code 2 and one line on stderr. A service registers its own subclass, naming
 * itself and the package of its {@code @ConfigurationProperties} records, in {@code META-INF/spring.factories}.
 */
public abstract class ExitOnBadSettings implements EnvironmentPostProcessor, Ordered {

    private final String linePrefix;
    private final String basePackage;

    /**
     * @param linePrefix  what the line on stderr starts with, the service's usual start-up failure prefix
     * @param basePackage the package whose {@code @ConfigurationProperties} records are checked
     */
    protected ExitOnBadSettings(String linePrefix, String basePackage) {
        this.linePrefix = linePrefix;
        this.basePackage = basePackage;
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Optional<String> problem = SettingsCheck.problem(environment, basePackage);
        if (problem.isPresent()) {
            System.err.println(linePrefix + problem.get());
            System.err.flush();
            System.exit(2);
        }
    }

    /** After the environment post-processors that resolve secrets ({@code LOWEST_PRECEDENCE - 10}). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 5;
    }
}
