package dev.streamchat.gateway.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one fake ai-service of the gateway's tests, at the HTTP level (contract section 1): real SSE, one
 * {@code data:} line per event, flushed one by one with the reply's pacing; the blocking route; the document
 * routes. What it answers is scripted by the test: per question ({@link #onQuestion}, replies used in order, the
 * last one repeating) or for any question ({@link #planner}); otherwise {@link #defaultTokens}. Every stream request
 * is recorded as a {@link Call} (a client that goes away marks it disconnected).
 */
public final class FakeAiService implements AutoCloseable {

    public static final String API_KEY = "fake-ai-key";

    /** What a stream request saw. */
    public static final class Call {
        public final JsonNode body;
        public volatile boolean disconnected;
        public volatile long disconnectedAtNanos;
        public final AtomicInteger tokensWritten = new AtomicInteger();
        /** The gateway's end of the connection the request came on: one port per connection. */
        public final int clientPort;

        Call(JsonNode body, int clientPort) {
            this.body = body;
            this.clientPort = clientPort;
        }

        public String query() {
            return body.path("user_query").asString("");
        }
    }

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpServer server;
    /** A cached pool whose idle threads end after 2 s, so a test measuring the heap can wait for them to go. */
    private final java.util.concurrent.ThreadPoolExecutor executor = new java.util.concurrent.ThreadPoolExecutor(0,
            Integer.MAX_VALUE, 2, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "fake-ai");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Deque<AiReply>> scripts = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Object>> documents = new ConcurrentHashMap<>();
    private final Map<String, Indexing> indexingScripts = new ConcurrentHashMap<>();
    /** {@code GET /api/v1/models}: the fixture of a service started with {@code AI_MODELS=openai:gpt-4o-mini,openai:gpt-4o,local}. */
    private final JsonNode models = json.readTree(readFixture("ai-models.json"));
    /** Stream requests in arrival order. */
    public final Queue<Call> calls = new ConcurrentLinkedQueue<>();
    /** Stream requests, counted before the API key check. */
    public final AtomicInteger streamRequests = new AtomicInteger();
    /** The answer to a question without a script; reset with {@link #reset()}. */
    public volatile Function<String, AiReply> planner = FakeAiService::defaultReply;
    /** As the ai-service's {@code DOCUMENTS_MAX_PER_USER}: an upload past it is 409 {@code document_limit}. */
    public volatile int documentsPerUser = Integer.MAX_VALUE;

    public FakeAiService() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the fake ai-service", e);
        }
        server.setExecutor(executor);
        server.createContext("/api/v1/semantic_search_stream", this::stream);
        server.createContext("/api/v1/semantic_search", this::blocking);
        server.createContext("/api/v1/documents", this::documents);
        server.createContext("/api/v1/models", this::models);
        server.createContext("/actuator/health", ex -> send(ex, 200, Map.of("status", "UP")));
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The tokens of the default answer: {@code Answer to: <question> ✓}. */
    public static List<String> defaultTokens(String question) {
        return List.of("Answer", " to", ": ", question, " ✓");
    }

    private static AiReply defaultReply(String question) {
        return AiReply.answer(defaultTokens(question));
    }

    /** Registers the replies to a question, used in this order; the last one is repeated. */
    public void onQuestion(String question, AiReply... script) {
        scripts.put(question, new ArrayDeque<>(List.of(script)));
    }

    /**
     * How the status of an upload named {@code fileName} moves, one step per status read of that document: the
     * {@code samples} of {@code docs/protocol/ai-document-status.json} (fields merged over the stored document). The
     * step before the last is held (repeated) until {@code holdBeforeLast} opens.
     */
    public record Indexing(List<Map<String, Object>> steps, CountDownLatch holdBeforeLast) {

        /** parsing 0 → chunking 10 → embedding 55 (held) → ready 100, as the fixture records them. */
        @SuppressWarnings("unchecked")
        public static Indexing fromFixture(CountDownLatch holdBeforeLast) {
            JsonMapper json = JsonMapper.builder().build();
            List<Map<String, Object>> samples = (List<Map<String, Object>>) json.readValue(
                    readFixture("ai-document-status.json"), Map.class).get("samples");
            List<Map<String, Object>> steps = samples.subList(0, 4).stream().map(sample -> {
                Map<String, Object> step = new LinkedHashMap<>(sample);
                step.keySet().retainAll(List.of("status", "phase", "percent", "chunks"));
                return step;
            }).toList();
            return new Indexing(steps, holdBeforeLast);
        }
    }

    /** Scripts how the status of the next uploads named {@code fileName} moves (see {@link Indexing}). */
    public void onUpload(String fileName, Indexing indexing) {
        indexingScripts.put(fileName, indexing);
    }

    /** A file of {@code docs/protocol/}, the fixtures both services test against. */
    static String readFixture(String name) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "protocol", name));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Back to the default answer for every question without a script. */
    public void reset() {
        planner = FakeAiService::defaultReply;
        documentsPerUser = Integer.MAX_VALUE;
    }

    /** The last stream request for this question, or null. */
    public Call lastCallFor(String question) {
        Call found = null;
        for (Call call : calls) {
            if (call.query().equals(question)) {
                found = call;
            }
        }
        return found;
    }

    /** Every stream request seen: user_id, user_query and doc_id ("" when none). */
    public List<Map<String, String>> requests() {
        return calls.stream().map(call -> Map.of("user_id", call.body.path("user_id").asString(""),
                "user_query", call.query(), "doc_id", call.body.path("doc_id").asString(""))).toList();
    }

    /** Streams whose client went away before the end. */
    public int cancelledStreams() {
        return (int) calls.stream().filter(call -> call.disconnected).count();
    }

    private AiReply replyFor(String question) {
        Deque<AiReply> script = scripts.get(question);
        if (script == null || script.isEmpty()) {
            return planner.apply(question);
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

    /** The request as a recorded call: its body and the gateway's port of the connection it came on. */
    private Call record(HttpExchange ex) throws IOException {
        Call call = new Call(json.readTree(ex.getRequestBody().readAllBytes()), ex.getRemoteAddress().getPort());
        calls.add(call);
        return call;
    }

    private void stream(HttpExchange ex) throws IOException {
        streamRequests.incrementAndGet();
        if (!authorised(ex)) {
            return;
        }
        Call call = record(ex);
        if (!offered(call.body)) {
            send(ex, 400, Map.of("type", "about:blank", "code", "bad_request", "status", 400));
            return;
        }
        AiReply reply = replyFor(call.query());
        if (reply.status != 200) {
            send(ex, reply.status, Map.of("type", "about:blank", "code", "unavailable", "status", reply.status));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            int sent = 0;
            for (String token : reply.tokens) {
                if (sent == reply.gateAfterTokens && reply.gate != null) {
                    waitAtGate(reply.gate, out);
                }
                pause(reply.pacing);
                for (Map<String, Object> progress : reply.progress.getOrDefault(sent, List.of())) {
                    event(out, progress);
                }
                event(out, Map.of("type", "token", "content", token));
                call.tokensWritten.incrementAndGet();
                sent++;
            }
            for (Map<String, Object> progress : reply.progress.getOrDefault(reply.tokens.size(), List.of())) {
                event(out, progress);
            }
            switch (reply.fault) {
                case ERROR_EVENT -> event(out, Map.of("type", "error", "code", reply.errorCode, "message", reply.errorMessage));
                case DROP -> {
                    return; // close without a final event
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
                default -> event(out, done(reply, call.body));
            }
        } catch (IOException clientGone) {
            call.disconnectedAtNanos = System.nanoTime();
            call.disconnected = true;
        } finally {
            ex.close();
        }
    }

    /** Keepalive comments while the gate is closed; a client that went away ends the wait with an IOException. */
    private static void waitAtGate(CountDownLatch gate, OutputStream out) throws IOException {
        try {
            while (!gate.await(200, TimeUnit.MILLISECONDS)) {
                out.write(": keepalive\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** The fake model's own pacing (what a real model does between tokens), not test synchronisation. */
    private static void pause(Duration pacing) throws IOException {
        if (pacing.isZero()) {
            return;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(pacing.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** A request's {@code model} is absent, null, or one of {@link #models}. */
    private boolean offered(JsonNode request) {
        JsonNode model = request.get("model");
        if (model == null || model.isNull()) {
            return true;
        }
        for (JsonNode option : models.get("models")) {
            if (option.get("id").asString().equals(model.asString())) {
                return true;
            }
        }
        return false;
    }

    /** {@code done} names the model asked for ({@code provider} {@code synthetic} when none was). */
    private Map<String, Object> done(AiReply reply, JsonNode request) {
        JsonNode asked = request.get("model");
        String provider = "synthetic";
        String model = null;
        if (asked != null && !asked.isNull()) {
            String id = asked.asString();
            int colon = id.indexOf(':');
            provider = colon < 0 ? id : id.substring(0, colon);
            model = colon < 0 ? null : id.substring(colon + 1);
        }
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("type", "done");
        done.put("route", "deep_research".equals(request.path("mode").asString(null)) ? "deep_research" : "general_qa");
        done.put("provider", provider);
        done.put("model", model);
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
        Call call = record(ex);
        AiReply reply = replyFor(call.query());
        if (reply.status != 200) {
            send(ex, reply.status, Map.of("type", "about:blank", "code", "unavailable", "status", reply.status));
            return;
        }
        Map<String, Object> answer = new LinkedHashMap<>(done(reply, call.body));
        answer.remove("type");
        answer.put("answer", reply.fullText());
        try (ex) {
            if (!reply.statusGate.await(15, TimeUnit.SECONDS)) {
                return;
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.flush(); // status and headers now, the body once the body gate opens
            if (reply.bodyGate.await(15, TimeUnit.SECONDS)) {
                out.write(json.writeValueAsBytes(answer));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Uploads are {@code indexing} until their status is first read, then {@code ready} (the watcher sees both). */
    private void documents(HttpExchange ex) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if ("POST".equals(method)) {
            String multipart = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
            Matcher name = Pattern.compile("filename=\"([^\"]+)\"").matcher(multipart);
            Matcher owner = Pattern.compile("name=\"user_id\"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([^\r\n]*)").matcher(multipart);
            String ownerId = owner.find() ? owner.group(1) : "";
            if (documents.values().stream().filter(doc -> ownerId.equals(doc.get("owner"))).count() >= documentsPerUser) {
                send(ex, 409, Map.of("code", "document_limit"));
                return;
            }
            String docId = UUID.randomUUID().toString();
            String fileName = name.find() ? name.group(1) : "upload";
            documents.put(docId, new ConcurrentHashMap<>(Map.of("docId", docId, "title", fileName,
                    "status", "indexing", "chunks", 0, "owner", ownerId)));
            Indexing indexing = indexingScripts.get(fileName);
            if (indexing != null) {
                documents.get(docId).put("indexing", new ScriptedIndexing(indexing));
            }
            send(ex, 202, Map.of("docId", docId));
        } else if ("GET".equals(method) && path.equals("/api/v1/documents")) {
            List<String> query = List.of(String.valueOf(ex.getRequestURI().getQuery()).split("&"));
            send(ex, 200, documents.values().stream()
                    .filter(doc -> query.contains("user_id=" + doc.get("owner")))
                    .map(doc -> {
                        Map<String, Object> listed = new LinkedHashMap<>(doc);
                        listed.remove("indexing");
                        return listed;
                    })
                    .toList());
        } else if ("GET".equals(method)) {
            Map<String, Object> doc = documents.get(path.substring(path.lastIndexOf('/') + 1));
            if (doc == null) {
                send(ex, 404, Map.of("code", "not_found"));
                return;
            }
            if (doc.get("indexing") instanceof ScriptedIndexing scripted) {
                doc.putAll(scripted.next()); // the list shows the same status
                Map<String, Object> answer = new LinkedHashMap<>(doc);
                answer.remove("indexing");
                answer.remove("owner");
                send(ex, 200, answer);
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

    /** Where one scripted upload is: each read answers the current step, then moves on (see {@link Indexing}). */
    private static final class ScriptedIndexing {
        private final Indexing script;
        private int step;

        ScriptedIndexing(Indexing script) {
            this.script = script;
        }

        synchronized Map<String, Object> next() {
            Map<String, Object> answer = script.steps().get(step);
            boolean held = step == script.steps().size() - 2 && script.holdBeforeLast().getCount() > 0;
            if (step < script.steps().size() - 1 && !held) {
                step++;
            }
            return answer;
        }
    }

    private void models(HttpExchange ex) throws IOException {
        if (!authorised(ex)) {
            return;
        }
        send(ex, 200, models);
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

    /** Threads the fake holds now (busy or idle), for a test that waits for them to end before measuring the heap. */
    public int threads() {
        return executor.getPoolSize();
    }
}
