package dev.streamchat.ai.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP client reading an SSE response line by line as the bytes arrive (JDK client, HTTP/1.1), recording
 * each raw line with its arrival time. {@link #close()} drops the connection, as a disconnecting gateway would.
 */
final class SseClient implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    record Line(String text, long atNanos) {
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final HttpResponse<InputStream> response;
    private final Thread reader;
    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-client");
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** POSTs {@code json} and returns once the status and headers are in (the body keeps streaming). */
    static SseClient open(int port, String path, String apiKey, String json) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json")
                .header("Accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        if (apiKey != null) {
            request.header("X-API-Key", apiKey);
        }
        return new SseClient(HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(new Line(line, System.nanoTime()));
            }
        } catch (IOException closed) {
            // closed by the test or the server
        } finally {
            ended = true;
        }
    }

    int status() {
        return response.statusCode();
    }

    HttpHeaders headers() {
        return response.headers();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The JSON of each {@code data:} line, in order. */
    List<String> data() {
        return lines.stream().map(Line::text).filter(text -> text.startsWith("data:"))
                .map(text -> text.substring("data:".length()).strip()).toList();
    }

    long keepalives() {
        return lines.stream().filter(line -> line.text().equals(": keepalive")).count();
    }

    boolean ended() {
        return ended;
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // dropping the connection anyway
        }
    }
}
