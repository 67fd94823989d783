package dev.streamchat.gateway.stream;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.streamchat.gateway.socket.NodeSocketHarness;

/**
 * A browser tab driven by the official JS {@code socket.io-client} ({@code src/test/js/tab.mjs}) in a node process:
 * connects, optionally resumes a stream, and records stream events until {@code ends} streams ended.
 */
final class JsTab implements AutoCloseable {

    private static final Path DIR = Path.of("src", "test", "js").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private final CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();

    JsTab(String url, String token, Map<String, Object> resume, int ends) {
        NodeSocketHarness.install();
        try {
            Map<String, Object> options = new java.util.LinkedHashMap<>();
            options.put("url", url);
            options.put("token", token);
            options.put("ends", ends);
            options.put("timeoutMs", 60_000);
            if (resume != null) {
                options.put("resume", resume);
            }
            process = new ProcessBuilder("node", DIR.resolve("tab.mjs").toString(), JSON.writeValueAsString(options))
                    .directory(DIR.toFile()).redirectErrorStream(true).start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        CompletableFuture.runAsync(this::read);
    }

    private void read() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.equals("CONNECTED")) {
                    connected.complete(null);
                } else if (line.startsWith("{")) {
                    result.complete(JSON.readValue(line, new TypeReference<>() { }));
                }
            }
            result.completeExceptionally(new IllegalStateException("node ended without a result"));
        } catch (IOException e) {
            result.completeExceptionally(e);
        }
    }

    void awaitConnected() throws Exception {
        connected.get(30, TimeUnit.SECONDS);
    }

    /** The recorded events as (event, payload) once the tab is done. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> events() throws Exception {
        return (List<Map<String, Object>>) result.get(90, TimeUnit.SECONDS).get("events");
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> resumeAck() throws Exception {
        return (Map<String, Object>) result.get(90, TimeUnit.SECONDS).get("resumeAck");
    }

    @Override
    public void close() {
        process.destroy();
    }
}
