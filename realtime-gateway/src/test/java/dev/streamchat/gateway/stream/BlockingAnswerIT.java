package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.chat.FakeAiServer;
import dev.streamchat.gateway.config.TestBackends;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code ENABLE_STREAMING=false}: the 202 of {@code /chat/new} comes once the ai-service's blocking route
 * answered with a status (contract section 2), not after its whole body; the body then arrives as one token.
 * The fake ai-service sends status and headers at once and holds the body behind a gate.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + FakeAiServer.API_KEY,
        "gateway.ratelimit.chat-per-minute=100",
        "gateway.stream.enable-streaming=false",
        "gateway.stream.lease-ttl=2s",
})
class BlockingAnswerIT {

    // Not under BlockHound: its record here is dominated by brief library-internal lock waits (Lettuce's
    // SharedLock on request threads) that NonBlockingThreads does not allow yet; ChatRelayIT covers the relay.

    /**
     * The blocking route: status and headers when the status gate opens, the body when the body gate opens
     * (each after 15 s at the latest, so nothing hangs).
     */
    static final class SlowBlockingAi implements AutoCloseable {
        final HttpServer server;
        final ExecutorService executor = Executors.newCachedThreadPool();
        final JsonMapper json = JsonMapper.builder().build();
        volatile CountDownLatch bodyGate = new CountDownLatch(0);
        volatile CountDownLatch statusGate = new CountDownLatch(0);
        final AtomicInteger unavailableLeft = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();

        SlowBlockingAi() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(executor);
            server.createContext("/api/v1/semantic_search", this::answer);
            server.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        private void answer(HttpExchange exchange) throws IOException {
            try (exchange) {
                JsonNode request = json.readTree(exchange.getRequestBody().readAllBytes());
                calls.incrementAndGet();
                if (unavailableLeft.getAndDecrement() > 0) {
                    exchange.sendResponseHeaders(503, -1);
                    return;
                }
                try {
                    statusGate.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                out.flush();
                try {
                    bodyGate.await(15, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                out.write(json.writeValueAsBytes(Map.of("answer", "Whole answer to " + request.get("user_query").asString(),
                        "route", "general_qa", "provider", "synthetic", "citations", List.of(), "chunkReferences", List.of(),
                        "contextTrimmed", false)));
            }
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    static final SlowBlockingAi AI;

    static {
        try {
            AI = new SlowBlockingAi();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopFake() {
        AI.close();
    }

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, TestBackends.freePort());
        registry.add("gateway.ai.url", AI::url);
    }

    @LocalServerPort
    int port;

    @Autowired
    StreamCommands commands;

    private WebTestClient http() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30)).build();
    }

    private String login(String userId) {
        return (String) http().post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("userId", userId, "plan", "pro")).exchange().expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody().get("token");
    }

    private String ask(String token, String message) {
        return (String) http().post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", message))
                .exchange().expectStatus().isAccepted()
                .expectBody(Map.class).returnResult().getResponseBody().get("streamId");
    }

    private List<Map.Entry<String, Object>> replay(String userId, String streamId) {
        List<Map.Entry<String, Object>> sent = new ArrayList<>();
        commands.resume(userId, streamId, 0, status -> { }, (event, payload) -> {
            synchronized (sent) {
                sent.add(Map.entry(event, payload));
            }
        }).block(Duration.ofSeconds(10));
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    @SuppressWarnings("unchecked")
    private void assertOneTokenThenComplete(String userId, String streamId, String answer) {
        await().atMost(Duration.ofSeconds(15)).until(() -> replay(userId, streamId).stream()
                .anyMatch(e -> e.getKey().equals("chat-stream-complete")));
        List<Map.Entry<String, Object>> events = replay(userId, streamId);
        assertThat(events).extracting(Map.Entry::getKey).containsExactly("chat-stream-token", "chat-stream-complete");
        assertThat((Map<String, Object>) events.get(0).getValue()).containsEntry("token", answer);
        assertThat(((Number) ((Map<String, Object>) events.get(0).getValue()).get("seq")).longValue()).isEqualTo(1L);
        assertThat((Map<String, Object>) events.get(1).getValue()).containsEntry("content", answer);
    }

    @Test
    @SuppressWarnings("unchecked")
    void answers202OnTheStatusBeforeTheBodyArrivesThenSendsTheWholeAnswerAsOneToken() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        CountDownLatch gate = new CountDownLatch(1);
        AI.bodyGate = gate;
        String streamId = ask(token, "slow body");
        assertThat(gate.getCount()).as("the 202 came before the body was released").isEqualTo(1);
        gate.countDown();
        assertOneTokenThenComplete(userId, streamId, "Whole answer to slow body");
    }

    @Test
    void retriesA503TwiceThenAcceptsOnTheStatus() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        CountDownLatch gate = new CountDownLatch(1);
        AI.bodyGate = gate;
        int before = AI.calls.get();
        AI.unavailableLeft.set(2);
        String streamId = ask(token, "after two 503s");
        assertThat(gate.getCount()).isEqualTo(1);
        assertThat(AI.calls.get() - before).isEqualTo(3);
        gate.countDown();
        assertOneTokenThenComplete(userId, streamId, "Whole answer to after two 503s");
    }

    private Map<String, Object> post(String token, String json) {
        return http().post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    @Test
    void aStreamWaitingLongerThanItsLeaseForTheStatusKeepsItsSessionLockedAndCompletes() {
        String userId = "blocking-" + UUID.randomUUID().toString().substring(0, 8);
        String token = login(userId);
        AI.statusGate = new CountDownLatch(0);
        AI.bodyGate = new CountDownLatch(0);
        Map<String, Object> first = post(token, "{\"message\":\"first\"}");
        String sessionId = (String) first.get("sessionId");
        assertOneTokenThenComplete(userId, (String) first.get("streamId"), "Whole answer to first");

        CountDownLatch status = new CountDownLatch(1);
        AI.statusGate = status;
        int before = AI.calls.get();
        java.util.concurrent.CompletableFuture<Map<String, Object>> accepted = java.util.concurrent.CompletableFuture
                .supplyAsync(() -> post(token, "{\"message\":\"status comes late\",\"sessionId\":\"" + sessionId + "\"}"));
        await().atMost(Duration.ofSeconds(10)).until(() -> AI.calls.get() > before);
        // Hold the status for two lease lifetimes (lease-ttl=2s): the waiting node keeps renewing the lease,
        // so the session stays locked.
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> !accepted.isDone());
        Map<String, Object> conflict = post(token, "{\"message\":\"meanwhile\",\"sessionId\":\"" + sessionId + "\"}");
        status.countDown();
        assertThat(conflict).containsEntry("code", "stream_active");
        String streamId = (String) accepted.join().get("streamId");
        assertOneTokenThenComplete(userId, streamId, "Whole answer to status comes late");
    }
}
