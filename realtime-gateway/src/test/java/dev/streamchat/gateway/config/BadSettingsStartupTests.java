package dev.streamchat.gateway.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.streamchat.settings.BadSettingsStartup;

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
            "STREAM_RESUME_BATCH_MS | 900 | STREAM_RESUME_BATCH_MS (gateway.stream.resume-batch) must be shorter than or equal to 500 millis, not '900ms'",
            "GATEWAY_IO_THREADS | -1 | GATEWAY_IO_THREADS (gateway.loops.io-threads) must be greater than or equal to 0, not '-1'",
    })
    void aBadSettingStopsTheStartWithOneLine(String variable, String value, String line) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("APP_MODE", "production");
        env.put("JWT_SECRET", "a9f1c2e7b4d8a0f3c6e9b2d5a8f1c4e7b0d3a6f9");
        env.put("AI_SERVICE_API_KEY", "5e8b1d4a7f0c3e6b9d2a5f8c1e4b7d0a");
        env.put("GATEWAY_PORT", "0");
        env.put("DATA_DIR", dataDir.toString());
        env.put(variable, value);
        BadSettingsStartup.assertExitsWithOneLine("dev.streamchat.gateway.GatewayApplication", env, "realtime-gateway cannot start: " + line);
    }
}
