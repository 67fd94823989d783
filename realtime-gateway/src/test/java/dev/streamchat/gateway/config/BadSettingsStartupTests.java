package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real gateway main in a child JVM, in production with good secrets and one bad setting: it exits at once with
 * code 2, one line on stderr naming the variable, and nothing else (no log, no stack trace).
 */
class BadSettingsStartupTests {

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "SOCKET_PORT | 70000 | SOCKET_PORT (gateway.socket.port) must be less than or equal to 65535, not '70000'",
            "STREAM_TIMEOUT_MS | 1 minute | STREAM_TIMEOUT_MS (gateway.stream.idle-timeout) must be a duration such as 500ms, 10s or 5m, not '1 minutems'",
            "APP_MODE | prod | APP_MODE must be local or production, not 'prod'",
    })
    void aBadSettingStopsTheStartWithOneLine(String variable, String value, String line) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "dev.streamchat.gateway.GatewayApplication");
        Map<String, String> env = builder.environment();
        env.put("APP_MODE", "production");
        env.put("JWT_SECRET", "a9f1c2e7b4d8a0f3c6e9b2d5a8f1c4e7b0d3a6f9");
        env.put("AI_SERVICE_API_KEY", "5e8b1d4a7f0c3e6b9d2a5f8c1e4b7d0a");
        env.put("DATA_DIR", dataDir.toString());
        env.put("GATEWAY_PORT", "0");
        env.put(variable, value);
        Process process = builder.start();
        process.getOutputStream().close();
        CompletableFuture<String> stdout = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits at once").isTrue();

        assertThat(process.exitValue()).isEqualTo(2);
        List<String> errorLines = stderr.get(10, TimeUnit.SECONDS).lines().filter(l -> !l.isBlank()).toList();
        assertThat(errorLines).containsExactly("realtime-gateway cannot start: " + line);
        assertThat(stdout.get(10, TimeUnit.SECONDS)).as("nothing but the one line").isBlank();
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
