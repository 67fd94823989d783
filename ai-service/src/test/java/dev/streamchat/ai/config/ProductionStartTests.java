package dev.streamchat.ai.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.streamchat.ai.AiServiceApplication;

/** Starts the real main class in a child JVM, as {@code java -jar} would, with a broken production configuration. */
class ProductionStartTests {

    @TempDir
    Path dataDir;

    private record Outcome(int exitCode, List<String> stderr, String stdout, long millis) {
    }

    private Outcome start(Map<String, String> env) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A start that stops at its settings check: the quick JIT tier only, the small collector.
        ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                AiServiceApplication.class.getName());
        Map<String, String> environment = builder.environment();
        List.of("APP_MODE", "AI_SERVICE_API_KEY", "OPENAI_API_KEY", "AI_PROVIDER").forEach(environment::remove);
        environment.put("DATA_DIR", dataDir.toString());
        environment.putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        boolean exited = process.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            process.destroyForcibly();
        }
        assertThat(exited).as("the service exits by itself").isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Outcome(process.exitValue(),
                Arrays.stream(stderr.split("\n")).filter(line -> !line.isBlank()).toList(), stdout,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    @Test
    void productionWithoutTheServiceKeyExitsAtOnceWithOneLine() throws Exception {
        Outcome outcome = start(Map.of("APP_MODE", "production"));

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.stderr()).containsExactly("ai-service: AI_SERVICE_API_KEY is required when APP_MODE=production");
        assertThat(outcome.stdout()).isBlank();
        assertThat(dataDir.resolve(LocalSecrets.FILE_NAME)).doesNotExist();
    }

    @Test
    void theOpenAiProviderWithoutItsKeyExitsWithOneLine() throws Exception {
        Outcome outcome = start(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", "k", "AI_PROVIDER", "openai"));

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.stderr()).containsExactly("ai-service: OPENAI_API_KEY is required when AI_PROVIDER=openai");
    }

    @Test
    void aPlaceholderServiceKeyExitsWithOneLine() throws Exception {
        Outcome outcome = start(Map.of("APP_MODE", "production", "AI_SERVICE_API_KEY", "change-me"));

        assertThat(outcome.exitCode()).isNotZero();
        assertThat(outcome.stderr()).containsExactly("ai-service: AI_SERVICE_API_KEY is a placeholder; "
                + "APP_MODE=production needs at least 32 random characters (e.g. openssl rand -hex 32)");
    }
}
