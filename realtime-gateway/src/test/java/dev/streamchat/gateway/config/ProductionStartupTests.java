package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real gateway main, started in a child JVM: production without a secret stops at once with one line. */
class ProductionStartupTests {

    @TempDir
    Path dataDir;

    @Test
    void productionWithoutSecretsExitsWithOneClearLine() throws Exception {
        assertThat(start(Map.of()).stderr).containsExactly(
                "realtime-gateway cannot start: JWT_SECRET is required when APP_MODE=production");
        Result missingKey = start(Map.of("JWT_SECRET", "0123456789abcdef0123456789abcdef"));
        assertThat(missingKey.exitCode).isEqualTo(2);
        assertThat(missingKey.stderr).containsExactly(
                "realtime-gateway cannot start: AI_SERVICE_API_KEY is required when APP_MODE=production");
        Result shortSecret = start(Map.of("JWT_SECRET", "short", "AI_SERVICE_API_KEY", "k"));
        assertThat(shortSecret.stderr).containsExactly(
                "realtime-gateway cannot start: JWT_SECRET must be at least 32 bytes long");
    }

    @Test
    void productionRefusesWeakOrPlaceholderSecretsWithOneClearLine() throws Exception {
        String strong = "9f1c2e7a4b8d0f3a6c5e1b7d9a2f4c8e0b3d6a9f1e4c7b2a5d8f0e3c6b9a1d4f";
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("change-me", "AI_SERVICE_API_KEY is shorter than 32 bytes");
        cases.put("changeme-changeme-changeme-changeme", "AI_SERVICE_API_KEY is a placeholder");
        cases.put("my-secret-api-key-for-production-use", "AI_SERVICE_API_KEY is a placeholder");
        cases.put("a".repeat(64), "AI_SERVICE_API_KEY is too predictable (too few distinct characters)");
        for (Map.Entry<String, String> weak : cases.entrySet()) {
            Result result = start(Map.of("JWT_SECRET", strong, "AI_SERVICE_API_KEY", weak.getKey()));
            assertThat(result.exitCode).isEqualTo(2);
            assertThat(result.stderr).hasSize(1);
            assertThat(result.stderr.get(0)).startsWith("realtime-gateway cannot start: " + weak.getValue())
                    .doesNotContain(weak.getKey());
        }
        Result weakJwt = start(Map.of("JWT_SECRET", "change-me-change-me-change-me-change-me", "AI_SERVICE_API_KEY", strong));
        assertThat(weakJwt.stderr).hasSize(1);
        assertThat(weakJwt.stderr.get(0)).startsWith("realtime-gateway cannot start: JWT_SECRET is a placeholder");
    }

    record Result(int exitCode, List<String> stderr) {
    }

    private Result start(Map<String, String> secrets) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // A start that stops at its settings check: the quick JIT tier only, the small collector.
        ProcessBuilder builder = new ProcessBuilder(java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                "dev.streamchat.gateway.GatewayApplication")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.PIPE);
        Map<String, String> env = builder.environment();
        env.remove("JWT_SECRET");
        env.remove("AI_SERVICE_API_KEY");
        env.put("APP_MODE", "production");
        env.put("DATA_DIR", dataDir.toString());
        env.put("GATEWAY_PORT", "0");
        env.putAll(secrets);
        Process process = builder.start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits at once").isTrue();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(dataDir.toFile().list()).as("writes nothing in production").isEmpty();
        return new Result(process.exitValue(), stderr.lines().filter(line -> !line.isBlank()).toList());
    }

}
