package dev.streamchat.gateway.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A plain HTTP client of the gateway's SSE routes (Java's {@link HttpClient}, real sockets): sends the request,
 * then a reader thread parses the {@code text/event-stream} body as the SSE spec says (fields {@code event},
 * {@code id}, {@code data}, comments, a blank line ends an event) into {@link #frames}. {@link #close()} closes the
 * connection (what a client going away does).
 */
public final class SseReader implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** One event as a client sees it. */
    public record Frame(String event, String id, String data) {
        public JsonNode json() {
            return JSON.readTree(data);
        }

        public long seq() {
            return id == null ? -1 : Long.parseLong(id);
        }
    }

    public final HttpResponse<InputStream> response;
    public final Queue<Frame> frames = new ConcurrentLinkedQueue<>();
    public final AtomicInteger keepalives = new AtomicInteger();
    /** The server ended the body (or the connection broke). */
    public final AtomicBoolean ended = new AtomicBoolean();
    private final Thread reader;

    private SseReader(HttpResponse<InputStream> response) {
        this.response = response;
        this.reader = new Thread(this::read, "sse-reader");
        this.reader.setDaemon(true);
        if (response.statusCode() == 200) {
            reader.start();
        } else {
            ended.set(true);
        }
    }

    /** POST with a JSON body; {@code headers} as name, value pairs. */
    public static SseReader post(String url, String json, String... headers) {
        return open(HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(json))
                .header("Content-Type", "application/json"), headers);
    }

    public static SseReader get(String url, String... headers) {
        return open(HttpRequest.newBuilder(URI.create(url)).GET(), headers);
    }

    private static SseReader open(HttpRequest.Builder request, String... headers) {
        request.header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
            return new SseReader(client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The error body of a non-200 answer (problem+json). */
    public JsonNode problem() {
        try (InputStream body = response.body()) {
            return JSON.readTree(body.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<Frame> list() {
        return List.copyOf(frames);
    }

    public List<String> names() {
        return frames.stream().map(Frame::event).toList();
    }

    public boolean hasFinal() {
        return frames.stream().anyMatch(f -> f.event().equals("complete") || f.event().equals("error"));
    }

    public Frame last() {
        List<Frame> all = list();
        return all.get(all.size() - 1);
    }

    /** Seqs of the token and progress events, in arrival order. */
    public List<Long> seqs() {
        return frames.stream().filter(f -> f.id() != null).map(Frame::seq).toList();
    }

    public Map<Long, String> tokensBySeq() {
        Map<Long, String> out = new java.util.TreeMap<>();
        frames.stream().filter(f -> f.event().equals("token")).forEach(f -> out.put(f.seq(), f.json().get("token").asString()));
        return out;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String event = null;
            String id = null;
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        frames.add(new Frame(event == null ? "message" : event, id, data.toString()));
                    }
                    event = null;
                    id = null;
                    data = null;
                    continue;
                }
                if (line.startsWith(":")) {
                    if (line.substring(1).strip().equals("keepalive")) {
                        keepalives.incrementAndGet();
                    }
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                if (value.startsWith(" ")) {
                    value = value.substring(1);
                }
                switch (field) {
                    case "event" -> event = value;
                    case "id" -> id = value;
                    case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
                    default -> { }
                }
            }
        } catch (IOException closed) {
            // the connection was closed (by us or by the server)
        } finally {
            ended.set(true);
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // already closed
        }
        reader.interrupt();
    }
}
