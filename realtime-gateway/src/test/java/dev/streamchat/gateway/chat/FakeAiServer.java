package dev.streamchat.gateway.chat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fake ai-service at the HTTP level (JDK HttpServer on a free loopback port) speaking contract section 1:
 * SSE of {@code token} events then {@code done}, with per-request fault injection (an {@code error} event, a
 * dropped connection, a stall, a non-2xx status). It records every request body and notices when the
 * gateway disconnects from a stream (its next write fails).
 */
public final class FakeAiServer implements AutoCloseable {

    public static final String API_KEY = "fake-ai-key";

    public enum Fault { NONE, ERROR_EVENT, DROP, STALL, STATUS }

    /** How to answer one request. */
    public record Plan(List<String> tokens, Duration tokenDelay, Fault fault, int status, int failAfterTokens) {

        public static Plan answer(List<String> tokens) {
            return new Plan(tokens, Duration.ofMillis(2), Fault.NONE, 200, 0);
        }

        public static Plan slow(List<String> tokens, Duration delay) {
            return new Plan(tokens, delay, Fault.NONE, 200, 0);
        }

        public static Plan fault(Fault fault, List<String> tokensBefore) {
            return new Plan(tokensBefore, Duration.ofMillis(2), fault, 200, tokensBefore.size());
        }

        public static Plan status(int status) {
            return new Plan(List.of(), Duration.ZERO, Fault.STATUS, status, 0);
        }
    }

    /** What happened to one stream request. */
    public static final class Call {
        public final JsonNode body;
        final CountDownLatch ended = new CountDownLatch(1);
        public volatile boolean disconnected;
        public volatile long disconnectedAtNanos;
        public final AtomicInteger tokensWritten = new AtomicInteger();

        Call(JsonNode body) {
            this.body = body;
        }

        public String query() {
            return body.get("user_query").asString();
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final JsonMapper json = JsonMapper.builder().build();
    public final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    public final AtomicInteger streamRequests = new AtomicInteger();
    public volatile Function<String, Plan> planner = query -> Plan.answer(defaultTokens(query));
    public final Map<String, String> documentStatus = new java.util.concurrent.ConcurrentHashMap<>();

    public FakeAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(executor);
        server.createContext("/api/v1/semantic_search_stream", this::stream);
        server.createContext("/api/v1/semantic_search", this::blocking);
        server.createContext("/api/v1/documents", this::documents);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public static List<String> defaultTokens(String query) {
        return List.of("Answer", " to", ": ", query, " ✓");
    }

    public Call lastCallFor(String query) {
        Call found = null;
        for (Call call : calls) {
            if (call.query().equals(query)) {
                found = call;
            }
        }
        return found;
    }

    private boolean authorized(HttpExchange exchange) throws IOException {
        if (!API_KEY.equals(exchange.getRequestHeaders().getFirst("X-API-Key"))) {
            exchange.sendResponseHeaders(401, -1);
            exchange.close();
            return false;
        }
        return true;
    }

    private void stream(HttpExchange exchange) throws IOException {
        streamRequests.incrementAndGet();
        if (!authorized(exchange)) {
            return;
        }
        JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
        Call call = new Call(body);
        calls.add(call);
        Plan plan = planner.apply(call.query());
        try {
            if (plan.fault() == Fault.STATUS) {
                byte[] problem = "{\"code\":\"unavailable\"}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
                exchange.sendResponseHeaders(plan.status(), problem.length);
                exchange.getResponseBody().write(problem);
                return;
            }
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            for (String token : plan.tokens()) {
                pause(plan.tokenDelay());
                write(out, Map.of("type", "token", "content", token));
                call.tokensWritten.incrementAndGet();
            }
            switch (plan.fault()) {
                case ERROR_EVENT -> write(out, Map.of("type", "error", "code", "upstream_error", "message", "model failed"));
                case DROP -> {
                    return; // close without done
                }
                case STALL -> {
                    // Say nothing until the gateway gives up; probe now and then so its disconnect is noticed.
                    for (int i = 0; i < 600; i++) {
                        pause(Duration.ofMillis(100));
                        if (i % 30 == 29) {
                            out.write(":\n".getBytes(StandardCharsets.UTF_8));
                            out.flush();
                        }
                    }
                }
                default -> write(out, Map.of("type", "done", "route", "general_qa", "provider", "synthetic",
                        "citations", List.of(), "chunkReferences", List.of(),
                        "usage", Map.of("promptTokens", 10, "completionTokens", plan.tokens().size()),
                        "contextTrimmed", false));
            }
        } catch (IOException e) {
            call.disconnected = true;
            call.disconnectedAtNanos = System.nanoTime();
        } finally {
            call.ended.countDown();
            exchange.close();
        }
    }

    private void blocking(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        JsonNode body = json.readTree(exchange.getRequestBody().readAllBytes());
        Call call = new Call(body);
        calls.add(call);
        Plan plan = planner.apply(call.query());
        String answer = String.join("", plan.tokens());
        byte[] bytes = json.writeValueAsBytes(Map.of("answer", answer, "route", "general_qa", "provider", "synthetic",
                "citations", List.of(), "chunkReferences", List.of(), "contextTrimmed", false));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private void documents(HttpExchange exchange) throws IOException {
        if (!authorized(exchange)) {
            return;
        }
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        byte[] reply;
        int status = 200;
        if (method.equals("POST")) {
            exchange.getRequestBody().readAllBytes();
            String docId = "doc" + (documentStatus.size() + 1);
            documentStatus.put(docId, "indexing");
            reply = json.writeValueAsBytes(Map.of("docId", docId));
            status = 202;
        } else if (path.equals("/api/v1/documents")) {
            reply = json.writeValueAsBytes(documentStatus.keySet().stream()
                    .map(id -> Map.of("docId", id, "title", id, "status", documentStatus.get(id), "chunks", 1)).toList());
        } else {
            String docId = path.substring(path.lastIndexOf('/') + 1);
            String docStatus = documentStatus.get(docId);
            if (docStatus == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            if (method.equals("DELETE")) {
                documentStatus.remove(docId);
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
                return;
            }
            reply = json.writeValueAsBytes(Map.of("docId", docId, "title", docId, "status", docStatus, "chunks", 1));
        }
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, reply.length);
        exchange.getResponseBody().write(reply);
        exchange.close();
    }

    private void write(OutputStream out, Map<String, Object> event) throws IOException {
        out.write(("data: " + json.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Paces the fake's own output (not test synchronisation). */
    private static void pause(Duration duration) {
        try {
            TimeUnit.NANOSECONDS.sleep(duration.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
