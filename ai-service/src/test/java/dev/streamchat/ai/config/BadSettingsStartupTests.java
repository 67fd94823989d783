package dev.streamchat.ai.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.streamchat.settings.BadSettingsStartup;

/**
 * The real ai-service main in a child JVM, in production with good secrets and one bad setting: it exits at once with
 * code 2, one line on stderr naming the variable, and nothing else (no log, no stack trace).
 */
class BadSettingsStartupTests {

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "RAG_SEARCH_MODE | vector | RAG_SEARCH_MODE (ai.rag.search-mode) must be one of scan, atlas, not 'vector'",
            "AI_SERVICE_PORT | 65536 | AI_SERVICE_PORT (server.port) must be a port between 0 and 65535, not '65536'",
            "AI_PROVIDER | foo | AI_PROVIDER must be openai, local or synthetic, not 'foo'",
            "APP_MODE | prod | APP_MODE must be local or production, not 'prod'",
    })
    void aBadSettingStopsTheStartWithOneLine(String variable, String value, String line) throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("APP_MODE", "production");
        env.put("AI_PROVIDER", "local");
        env.put("AI_SERVICE_API_KEY", "5e8b1d4a7f0c3e6b9d2a5f8c1e4b7d0a");
        env.put("AI_SERVICE_PORT", "0");
        env.put("DATA_DIR", dataDir.toString());
        env.put(variable, value);
        BadSettingsStartup.assertExitsWithOneLine("dev.streamchat.ai.AiServiceApplication", env, "ai-service: " + line);
    }
}
