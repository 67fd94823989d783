package dev.streamchat.gateway.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.streamchat.gateway.GatewayApplication;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.socket.NodeSocketHarness;
import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * {@code infra/deploy/nginx/streamchat.conf} in Debian's nginx in front of two real gateway nodes (two Spring
 * contexts in this JVM sharing one embedded Redis and MongoDB-wire server): {@code nginx -t}, REST on the one origin,
 * the official JS client over websocket, over polling and polling→websocket, sticky polling sessions, websocket
 * sessions spread over both nodes, body-size caps and no metrics. The gateway's own {@code POST /api/v1/chat/stream}
 * is read through nginx event by event while the answer is held mid-way. The SSE locations' finer properties are also
 * proven against a stand-in upstream that sends one event and then waits for the client to have read it (the proxy
 * passes each event at once: no buffering, no gzip) and one that writes in bulk (the stream moves at the reader's
 * pace). Skipped, with a message, where nginx is not installed ({@code .ci/run} installs {@code nginx-light}).
 */
class NginxFrontIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static EmbeddedRedis redis;
    static EmbeddedMongo mongo;
    static FakeAiService ai;
    static final List<ConfigurableApplicationContext> nodes = new ArrayList<>();
    static final List<int[]> nodePorts = new ArrayList<>();
    static Nginx nginx;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void startStack() throws Exception {
        Assumptions.assumeTrue(Nginx.installed(),
                "nginx is not installed: skipping the nginx front tests (apt-get install nginx-light; .ci/run does)");
        redis = EmbeddedRedis.start(0);
        mongo = EmbeddedMongo.inMemory();
        ai = new FakeAiService();
        Map<String, String> servers = new LinkedHashMap<>();
        for (int node = 1; node <= 2; node++) {
            int rest = TestBackends.freePort();
            int socket = TestBackends.freePort();
            nodePorts.add(new int[] {rest, socket});
            servers.put("gateway-" + node + ":8080", "127.0.0.1:" + rest);
            servers.put("gateway-" + node + ":8081", "127.0.0.1:" + socket);
        }
        Path dir = Files.createDirectories(tmp.resolve("front"));
        nginx = new Nginx(dir, servers);
        // Both nodes start at once: the machine is shared and a context takes a few seconds.
        List<CompletableFuture<ConfigurableApplicationContext>> starting = new ArrayList<>();
        for (int[] ports : nodePorts) {
            starting.add(CompletableFuture.supplyAsync(() -> startNode(ports[0], ports[1])));
        }
        for (CompletableFuture<ConfigurableApplicationContext> node : starting) {
            nodes.add(node.get(300, TimeUnit.SECONDS));
        }
        // A loaded machine may need a while before a fresh node reaches MongoDB: 503 means "try again shortly".
        for (int[] ports : nodePorts) {
            org.awaitility.Awaitility.await("node on " + ports[0] + " serving dev-login").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> loginStatus("http://127.0.0.1:" + ports[0], "warm-up") == 200);
        }
        Nginx.Result check = nginx.test();
        assertThat(check.exitCode()).as("nginx -t: " + check.output()).isZero();
        assertThat(check.output()).contains("test is successful");
        nginx.start();
    }

    private static ConfigurableApplicationContext startNode(int restPort, int socketPort) {
        // Command-line arguments: they win over application.yml, whatever its defaults become.
        return new SpringApplicationBuilder(GatewayApplication.class).run(
                "--server.port=" + restPort,
                "--server.address=127.0.0.1",
                "--management.server.port=0",
                "--management.server.address=127.0.0.1",
                "--gateway.socket.port=" + socketPort,
                "--gateway.socket.host=127.0.0.1",
                "--gateway.socket.public-url=" + nginx.url(),
                "--spring.data.redis.url=" + redis.url(),
                "--spring.mongodb.uri=" + mongo.uri("chat"),
                "--gateway.ai.url=" + ai.url(),
                "--JWT_SECRET=" + TestBackends.JWT_SECRET,
                "--AI_SERVICE_API_KEY=" + FakeAiService.API_KEY,
                "--gateway.auth.jwt-secret=" + TestBackends.JWT_SECRET,
                "--gateway.ai.api-key=" + FakeAiService.API_KEY);
    }

    @AfterAll
    static void stopStack() {
        if (nginx != null) {
            nginx.close();
        }
        nodes.forEach(ConfigurableApplicationContext::close);
        if (ai != null) {
            ai.close();
        }
        if (mongo != null) {
            mongo.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void restAndThePageAreServedOnTheOneOrigin() throws Exception {
        String token = devLogin("nginx-rest");
        HttpResponse<String> me = HTTP.send(HttpRequest.newBuilder(URI.create(nginx.url() + "/api/v1/auth/me"))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(me.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(me.body()).get("userId").asText()).isEqualTo("nginx-rest");

        HttpResponse<String> config = get("/api/v1/config");
        assertThat(JSON.readTree(config.body()).get("socketUrl").asText()).isEqualTo(nginx.url());
        assertThat(get("/").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAreNotReachableThroughTheProxy() throws Exception {
        assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/metrics").statusCode()).isEqualTo(404);
        assertThat(get("/actuator/env").statusCode()).isEqualTo(404);
    }

    @Test
    void bodiesOverTheCapsAreRefusedByTheProxy() throws Exception {
        // Headers only: nginx answers from Content-Length before reading (or the gateway seeing) the body.
        assertThat(statusOfDeclaredBody("POST", "/api/v1/documents", 12L * 1024 * 1024)).isEqualTo(413);
        assertThat(statusOfDeclaredBody("POST", "/api/v1/chat/new", 1024L * 1024)).isEqualTo(413);
        assertThat(statusOfDeclaredBody("POST", "/socket.io/?EIO=4&transport=polling", 1024L * 1024)).isEqualTo(413);
    }

    @Test
    void theOfficialClientConnectsOverEveryTransportAndPollingSessionsStayOnOneNode() throws Exception {
        String token = devLogin("nginx-socket");
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            scenarios.add(scenario("websocket-" + i, token, List.of("websocket")));
        }
        scenarios.add(scenario("polling", token, List.of("polling")));
        scenarios.add(scenario("upgrade", token, null));
        // The cookie alone (what a browser on this origin sends): hashed on the cookie, not the address.
        Map<String, Object> cookiePolling = scenario("polling-cookie", null, List.of("polling"));
        cookiePolling.put("cookie", token);
        scenarios.add(cookiePolling);

        List<Map<String, Object>> results = NodeSocketHarness.run(scenarios);

        for (Map<String, Object> result : results) {
            assertThat(result.get("connected")).as(result.get("name") + " connected: " + result).isEqualTo(true);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> acks = (List<Map<String, Object>>) result.get("acks");
            assertThat(acks).as(result.get("name") + " acks").hasSize(1);
            assertThat(acks.get(0)).as(result.get("name") + " ack").containsEntry("ok", false).containsEntry("status", "unknown");
        }
        assertThat(results.get(4).get("transport")).isEqualTo("polling");
        assertThat(results.get(5).get("transport")).isEqualTo("websocket");
        assertThat(results.get(5).get("upgraded")).isEqualTo(true);
        assertThat(results.get(6).get("transport")).isEqualTo("polling");

        Map<String, Set<String>> nodesBySid = new HashMap<>();
        Set<String> websocketOnlyNodes = new HashSet<>();
        for (String line : nginx.accessLog()) {
            if (!line.contains(" /socket.io/ ")) {
                continue;
            }
            String upstream = line.substring(0, line.indexOf(' '));
            String sid = line.replaceAll(".* sid=(\\S*) .*", "$1");
            if (!sid.equals("-")) { // nginx logs an empty variable as "-"
                nodesBySid.computeIfAbsent(sid, s -> new HashSet<>()).add(upstream);
            } else if (line.contains("transport=websocket ")) {
                websocketOnlyNodes.add(upstream);
            }
        }
        assertThat(nodesBySid).as("polling sessions seen in the access log").hasSizeGreaterThanOrEqualTo(3);
        nodesBySid.forEach((sid, upstreams) -> assertThat(upstreams).as("nodes that served sid " + sid).hasSize(1));
        assertThat(websocketOnlyNodes).as("nodes that took websocket-only sessions (not sticky)").hasSize(2);
    }

    @Test
    void theGatewaysSseStreamPassesThroughNginxEventByEvent() throws Exception {
        String token = devLogin("nginx-sse-" + System.nanoTime());
        String question = "through nginx " + System.nanoTime();
        CountDownLatch rest = new CountDownLatch(1);
        ai.onQuestion(question, dev.streamchat.gateway.testing.AiReply.tokens("First", " second", " third")
                .holdingAfter(1, rest));
        HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(URI.create(nginx.url() + "/api/v1/chat/stream"))
                .header("Authorization", "Bearer " + token).header("Accept", "text/event-stream")
                .header("Accept-Encoding", "gzip").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"" + question + "\"}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        assertThat(response.headers().firstValue("Content-Encoding")).as("gzip on the SSE route").isEmpty();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            assertThat(CompletableFuture.supplyAsync(() -> readEvent(lines)).get(15, TimeUnit.SECONDS)).startsWith("event: start");
            // The answer is held after its first token: that token must have come through on its own.
            assertThat(CompletableFuture.supplyAsync(() -> readEvent(lines)).get(15, TimeUnit.SECONDS))
                    .startsWith("event: token\nid: 1\n").contains("\"token\":\"First\"");
            rest.countDown();
            assertThat(readEvent(lines)).startsWith("event: token\nid: 2\n");
            assertThat(readEvent(lines)).startsWith("event: token\nid: 3\n");
            assertThat(readEvent(lines)).startsWith("event: complete").contains("\"content\":\"First second third\"");
        }
    }

    @Test
    void sseEventsPassTheProxyAtOnceWithoutGzip() throws Exception {
        try (SseStandIn upstream = new SseStandIn()) {
            Path dir = Files.createDirectories(tmp.resolve("sse"));
            Map<String, String> servers = new LinkedHashMap<>();
            for (String server : List.of("gateway-1:8080", "gateway-2:8080", "gateway-1:8081", "gateway-2:8081")) {
                servers.put(server, "127.0.0.1:" + upstream.port());
            }
            try (Nginx sse = new Nginx(dir, servers)) {
                Nginx.Result check = sse.test();
                assertThat(check.exitCode()).as("nginx -t: " + check.output()).isZero();
                sse.start();
                assertFirstEventArrivesAlone(sse, upstream, "POST", "/api/v1/chat/stream");
                assertFirstEventArrivesAlone(sse, upstream, "GET", "/api/v1/chat/streams/s-1/events");
                assertTheStreamMovesAtTheReadersPace(sse, upstream, "POST", "/api/v1/chat/stream");
                assertTheStreamMovesAtTheReadersPace(sse, upstream, "GET", "/api/v1/chat/streams/s-1/events");
            }
        }
    }

    /** The upstream holds the rest of the stream until the client has the first event: a buffering proxy fails this. */
    private static void assertFirstEventArrivesAlone(Nginx sse, SseStandIn upstream, String method, String path)
            throws Exception {
        upstream.reset();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sse.url() + path))
                .header("Accept", "text/event-stream").header("Accept-Encoding", "gzip")
                .timeout(Duration.ofSeconds(30));
        request = "POST".equals(method)
                ? request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"hi\"}"))
                : request.GET();
        HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).as("gzip on an SSE route").isEmpty();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readEvent(lines));
            assertThat(first.get(10, TimeUnit.SECONDS)).as(method + " " + path + ": the first event, before the rest")
                    .contains("event: token").contains("\"seq\":1");
            upstream.releaseRest();
            assertThat(readEvent(lines)).contains("event: complete");
        }
        assertThat(upstream.lastPath()).isEqualTo(path);
    }

    /**
     * A reader that stops reading holds the upstream's writes after a few buffers: nginx does not spool the stream
     * (a buffering proxy would take all of it into a temp file), so the gateway's slow-reader guard sees the slow
     * client. Then the reader drains and gets every byte.
     */
    private static void assertTheStreamMovesAtTheReadersPace(Nginx sse, SseStandIn upstream, String method, String path)
            throws Exception {
        upstream.reset();
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(16 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", sse.port), 5000);
            socket.setSoTimeout(30_000);
            String body = "POST".equals(method) ? "{}" : "";
            String head = method + " " + path + "?bulk=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body;
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();

            java.util.concurrent.atomic.AtomicLong last = new java.util.concurrent.atomic.AtomicLong(-1);
            org.awaitility.Awaitility.await("upstream writes held by the reader that does not read")
                    .atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).during(Duration.ofMillis(1500))
                    .until(() -> {
                        long now = upstream.bulkWritten();
                        return last.getAndSet(now) == now && now > 0;
                    });
            assertThat(upstream.bulkWritten()).as(method + " " + path + ": bytes the upstream could write while nobody read")
                    .isLessThan(SseStandIn.BULK_BYTES / 2); // kernel socket buffers on loopback autotune to several MB

            long received = 0;
            byte[] buffer = new byte[64 * 1024];
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received += n;
            }
            assertThat(received).as("everything arrives once the reader reads").isGreaterThan(SseStandIn.BULK_BYTES);
            assertThat(upstream.bulkWritten()).isGreaterThanOrEqualTo(SseStandIn.BULK_BYTES);
        }
    }

    private static String readEvent(BufferedReader lines) {
        StringBuilder event = new StringBuilder();
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty() && !event.isEmpty()) {
                    return event.toString();
                }
                event.append(line).append('\n');
            }
            return event.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Stands in for a gateway SSE endpoint: one event, then the rest only once the test says so. */
    static final class SseStandIn implements AutoCloseable {

        private final HttpServer server;
        private final ExecutorService executor = Executors.newCachedThreadPool();
        static final long BULK_BYTES = 64L * 1024 * 1024;

        private volatile CountDownLatch rest = new CountDownLatch(1);
        private final java.util.concurrent.atomic.AtomicLong bulkWritten = new java.util.concurrent.atomic.AtomicLong();
        private volatile String lastPath;

        SseStandIn() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(executor);
            server.createContext("/", this::stream);
            server.start();
        }

        int port() {
            return server.getAddress().getPort();
        }

        void reset() {
            rest = new CountDownLatch(1);
            bulkWritten.set(0);
        }

        long bulkWritten() {
            return bulkWritten.get();
        }

        void releaseRest() {
            rest.countDown();
        }

        String lastPath() {
            return lastPath;
        }

        private void stream(HttpExchange exchange) throws IOException {
            lastPath = exchange.getRequestURI().getPath();
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.getResponseHeaders().add("Cache-Control", "no-cache");
            exchange.sendResponseHeaders(200, 0);
            if ("bulk=1".equals(exchange.getRequestURI().getQuery())) {
                byte[] event = ("data: " + "x".repeat(8 * 1024 - 8) + "\n\n").getBytes(StandardCharsets.UTF_8);
                try (OutputStream body = exchange.getResponseBody()) {
                    while (bulkWritten.get() < BULK_BYTES) {
                        body.write(event);
                        bulkWritten.addAndGet(event.length);
                    }
                } catch (IOException readerGone) {
                    // The reader closed: nothing more to send.
                }
                return;
            }
            try (OutputStream body = exchange.getResponseBody()) {
                body.write("id: 1\nevent: token\ndata: {\"seq\":1,\"token\":\"Hel\"}\n\n".getBytes(StandardCharsets.UTF_8));
                body.flush();
                if (rest.await(15, TimeUnit.SECONDS)) {
                    body.write("event: complete\ndata: {\"stopped\":false}\n\n".getBytes(StandardCharsets.UTF_8));
                }
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

    private static Map<String, Object> scenario(String name, String token, List<String> transports) {
        Map<String, Object> scenario = new HashMap<>();
        scenario.put("name", name);
        scenario.put("url", nginx.url());
        if (token != null) {
            scenario.put("auth", Map.of("token", token));
        }
        if (transports != null) {
            scenario.put("transports", transports);
        }
        scenario.put("emits", List.of(Map.of("event", "chat-resume", "payload", Map.of("streamId", "no-such-stream", "afterSeq", 0))));
        return scenario;
    }

    private static String devLogin(String userId) throws Exception {
        HttpResponse<String> login = HTTP.send(HttpRequest.newBuilder(URI.create(nginx.url() + "/api/v1/auth/dev-login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + userId + "\",\"plan\":\"free\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
        return JSON.readTree(login.body()).get("token").asText();
    }

    private static int loginStatus(String base, String userId) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/dev-login"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"userId\":\"" + userId + "\",\"plan\":\"free\"}")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(nginx.url() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int statusOfDeclaredBody(String method, String path, long length) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", nginx.port)) {
            socket.setSoTimeout(10_000);
            String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
                    + "Content-Length: " + length + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
