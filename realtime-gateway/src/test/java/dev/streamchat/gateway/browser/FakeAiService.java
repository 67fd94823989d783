package dev.streamchat.gateway.browser;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The ai-service at the HTTP level (contract section 1), scripted by the test: replies are registered per
 * question ({@link #onQuestion}) and consumed in order (the last one repeats), so a retry can get a different
 * answer than the first try. Streams are written as real SSE, one {@code data:} line per event, flushed one
 * by one with the reply's pacing. A client that goes away is counted in {@link #cancelledStreams()}.
 */
public final class FakeAiService implements AutoCloseable {

    public static final String API_KEY = "browser-test-ai-key";
    private static final String DEFAULT_ANSWER = "This is a short answer from the fake model.";

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-ai");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Deque<AiReply>> replies = new ConcurrentHashMap<>();
    private final List<Map<String, String>> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Map<String, Object>> documents = new ConcurrentHashMap<>();
    private final AtomicInteger cancelledStreams = new AtomicInteger();

    public FakeAiService() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(executor);
        server.createContext("/api/v1/semantic_search_stream", this::stream);
        server.createContext("/api/v1/semantic_search", this::blocking);
        server.createContext("/api/v1/documents", this::documents);
        server.createContext("/actuator/health", ex -> send(ex, 200, Map.of("status", "UP")));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Registers the replies to a question, used in this order; the last one is repeated. */
    public void onQuestion(String question, AiReply... script) {
        replies.put(question, new ArrayDeque<>(List.of(script)));
    }

    /** Every stream request seen: user_id, user_query and doc_id ("" when none). */
    public List<Map<String, String>> requests() {
        return List.copyOf(requests);
    }

    public int cancelledStreams() {
        return cancelledStreams.get();
    }

    private AiReply replyFor(String question) {
        Deque<AiReply> script = replies.get(question);
        if (script == null || script.isEmpty()) {
            return AiReply.text(DEFAULT_ANSWER, 6);
        }
        synchronized (script) {
            return script.size() > 1 ? script.poll() : script.peek();
        }
    }

    private boolean authorised(HttpExchange ex) throws IOException {
        if (API_KEY.equals(ex.getRequestHeaders().getFirst("X-API-Key"))) {
            return true;
        }
        send(ex, 401, Map.of("code", "unauthorized"));
        return false;
    }

    private JsonNode body(HttpExchange ex) throws IOException {
        byte[] bytes = ex.getRequestBody().readAllBytes();
        return json.readTree(bytes);
    }

    private void stream(HttpExchange ex) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        JsonNode request = body(ex);
        String user = request.path("user_id").asString("");
        String question = request.path("user_query").asString("");
        requests.add(Map.of("user_id", user, "user_query", question, "doc_id", request.path("doc_id").asString("")));
        AiReply reply = replyFor(question);
        if (reply.status != 200) {
            send(ex, reply.status, Map.of("type", "about:blank", "code", "upstream_error", "status", reply.status));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(": ready\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            int sent = 0;
            for (String token : reply.tokens) {
                if (sent == reply.gateAfterTokens && reply.gate != null) {
                    waitAtGate(reply, out);
                }
                pause(reply);
                event(out, Map.of("type", "token", "content", token));
                sent++;
            }
            if (reply.errorCode != null) {
                event(out, Map.of("type", "error", "code", reply.errorCode, "message", reply.errorMessage));
            } else {
                event(out, done(reply));
            }
        } catch (IOException clientGone) {
            cancelledStreams.incrementAndGet();
        } finally {
            ex.close();
        }
    }

    /** Keepalive comments while the gate is closed; a client that went away ends the wait with an IOException. */
    private static void waitAtGate(AiReply reply, OutputStream out) throws IOException {
        try {
            while (!reply.gate.await(200, TimeUnit.MILLISECONDS)) {
                out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void pause(AiReply reply) throws IOException {
        if (reply.pacing.isZero()) {
            return;
        }
        try {
            // The fake model's own pacing (what a real model does between tokens), not test synchronisation.
            Thread.sleep(reply.pacing.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private Map<String, Object> done(AiReply reply) {
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("type", "done");
        done.put("route", "general_qa");
        done.put("provider", "synthetic");
        done.put("citations", reply.citations);
        done.put("chunkReferences", reply.citations.stream()
                .map(c -> Map.of("number", c.get("number"), "chunkId", "chunk-" + c.get("number"), "docId", c.get("docId"), "score", 0.9))
                .toList());
        done.put("usage", Map.of("promptTokens", 10, "completionTokens", reply.tokens.size()));
        done.put("contextTrimmed", false);
        return done;
    }

    private void event(OutputStream out, Map<String, Object> event) throws IOException {
        out.write(("data: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void blocking(HttpExchange ex) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        JsonNode request = body(ex);
        AiReply reply = replyFor(request.path("user_query").asString(""));
        Map<String, Object> answer = new LinkedHashMap<>(done(reply));
        answer.remove("type");
        answer.put("answer", reply.fullText());
        send(ex, 200, answer);
    }

    private void documents(HttpExchange ex) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if ("POST".equals(method)) {
            String multipart = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher name = java.util.regex.Pattern.compile("filename=\"([^\"]+)\"").matcher(multipart);
            String docId = UUID.randomUUID().toString();
            // Indexing until the first time someone asks for it, then ready: the gateway's watcher sees both.
            java.util.regex.Matcher owner = java.util.regex.Pattern.compile("name=\"user_id\"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)").matcher(multipart);
            documents.put(docId, new ConcurrentHashMap<>(Map.of("docId", docId, "title", name.find() ? name.group(1) : "upload",
                    "status", "indexing", "chunks", 0, "owner", owner.find() ? owner.group(1) : "")));
            send(ex, 202, Map.of("docId", docId));
        } else if ("GET".equals(method) && path.equals("/api/v1/documents")) {
            List<String> query = List.of(String.valueOf(ex.getRequestURI().getQuery()).split("&"));
            send(ex, 200, documents.values().stream()
                    .filter(doc -> query.contains("user_id=" + doc.get("owner")))
                    .toList());
        } else if ("GET".equals(method)) {
            Map<String, Object> doc = documents.get(path.substring(path.lastIndexOf('/') + 1));
            if (doc == null) {
                send(ex, 404, Map.of("code", "not_found"));
                return;
            }
            Map<String, Object> answer = Map.copyOf(doc);
            doc.put("status", "ready");
            doc.put("chunks", 1);
            send(ex, 200, answer);
        } else {
            documents.remove(path.substring(path.lastIndexOf('/') + 1));
            ex.sendResponseHeaders(204, -1);
            ex.close();
        }
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
