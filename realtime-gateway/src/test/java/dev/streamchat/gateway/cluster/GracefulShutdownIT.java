package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.shutdown.GracefulShutdown;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * A node told to stop (what SIGTERM does: the context closes) while it runs streams: readiness goes down at once, a
 * new stream is refused with 503 {@code unavailable} + {@code Retry-After}, a stream that ends within
 * {@code SHUTDOWN_DRAIN_S} completes normally, the rest end with the retryable {@code unavailable} error on every
 * tab (also the other node's), and the user can retry on the other node at once.
 */
class GracefulShutdownIT {

    static FakeAiService ai;
    static GatewayCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        ai = new FakeAiService();
        cluster = GatewayCluster.start(2, ai.url(), FakeAiService.API_KEY, Map.of("gateway.shutdown.drain", "3s"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
        if (ai != null) {
            ai.close();
        }
    }

    static WebTestClient http(GatewayCluster.Node node) {
        return WebTestClient.bindToServer().baseUrl(node.http()).responseTimeout(Duration.ofSeconds(30)).build();
    }

    static String login(GatewayCluster.Node node, String userId) {
        AtomicReference<String> token = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var result = http(node).post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("userId", userId, "plan", "pro")).exchange().expectBody(Map.class).returnResult();
            if (result.getStatus().value() == 200) {
                token.set((String) result.getResponseBody().get("token"));
            }
            return token.get() != null;
        });
        return token.get();
    }

    static Map<?, ?> ask(GatewayCluster.Node node, String token, String message) {
        return http(node).post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", message))
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
    }

    static Socket tab(GatewayCluster.Node node, String token, List<Object[]> events) {
        Socket socket = IO.socket(URI.create(node.socketUrl()), IO.Options.builder().setForceNew(true)
                .setReconnection(false).setTransports(new String[] {"websocket"}).setAuth(Map.of("token", token)).build());
        for (String event : List.of("chat-stream-start", "chat-stream-complete", "chat-stream-error")) {
            socket.on(event, args -> events.add(new Object[] {event, args[0]}));
        }
        socket.connect();
        return socket;
    }

    static JSONObject finalOf(List<Object[]> events, String streamId) {
        return events.stream().filter(e -> !e[0].equals("chat-stream-start"))
                .map(e -> (JSONObject) e[1]).filter(p -> streamId.equals(p.optString("streamId")))
                .findFirst().orElse(null);
    }

    static String eventOf(List<Object[]> events, String streamId) {
        return events.stream().filter(e -> !e[0].equals("chat-stream-start")
                        && streamId.equals(((JSONObject) e[1]).optString("streamId")))
                .map(e -> (String) e[0]).findFirst().orElse(null);
    }

    @Test
    void aStoppingNodeRefusesNewStreamsLetsShortOnesFinishAndEndsTheRestRetryable() throws Exception {
        GatewayCluster.Node leaving = cluster.node(0);
        GatewayCluster.Node staying = cluster.node(1);
        String user = "drain-" + Long.toHexString(System.nanoTime());
        String token = login(staying, user);
        ai.planner = q -> q.startsWith("short")
                ? AiReply.slow(IntStream.range(0, 30).mapToObj(i -> "s" + i + " ").toList(), Duration.ofMillis(40))
                : AiReply.slow(IntStream.range(0, 1000).mapToObj(i -> "l" + i + " ").toList(), Duration.ofMillis(20));
        List<Object[]> onLeaving = new CopyOnWriteArrayList<>();
        List<Object[]> onStaying = new CopyOnWriteArrayList<>();
        Socket leavingTab = tab(leaving, token, onLeaving);
        Socket stayingTab = tab(staying, token, onStaying);
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> leavingTab.connected() && stayingTab.connected());
            await().atMost(Duration.ofSeconds(10)).until(() -> staying.bean(UserChannels.class).isSubscribed(user));
            Map<?, ?> longOne = ask(leaving, token, "long answer");
            Map<?, ?> shortOne = ask(leaving, token, "short answer");
            String longId = (String) longOne.get("streamId");
            String shortId = (String) shortOne.get("streamId");
            await().atMost(Duration.ofSeconds(10)).until(() -> onStaying.stream().filter(e -> e[0].equals("chat-stream-start")).count() == 2);

            long closedAt = System.nanoTime();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> leaving.context().close());
            await().atMost(Duration.ofSeconds(5)).until(() -> leaving.bean(GracefulShutdown.class).draining());
            http(leaving).get().uri("/actuator/health/readiness").exchange().expectStatus().isEqualTo(503);
            http(leaving).post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", "too late"))
                    .exchange().expectStatus().isEqualTo(503)
                    .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "1")
                    .expectBody().jsonPath("$.code").isEqualTo("unavailable");

            closing.get(60, java.util.concurrent.TimeUnit.SECONDS);
            long closedAfterMs = (System.nanoTime() - closedAt) / 1_000_000;
            for (List<Object[]> events : List.of(onLeaving, onStaying)) {
                assertThat(eventOf(events, shortId)).isEqualTo("chat-stream-complete");
                assertThat(eventOf(events, longId)).isEqualTo("chat-stream-error");
                JSONObject error = finalOf(events, longId);
                assertThat(error.getJSONObject("error").getString("code")).isEqualTo("unavailable");
                assertThat(error.getBoolean("retryable")).isTrue();
            }
            assertThat(closedAfterMs).as("drain of 3 s, then the servers stop").isBetween(2_500L, 30_000L);

            // The client retries on the other node at once: the session is free.
            http(staying).post().uri("/api/v1/chat/sessions/" + longOne.get("sessionId") + "/retry")
                    .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("streamId", longId)).exchange().expectStatus().isAccepted();
        } finally {
            leavingTab.close();
            stayingTab.close();
        }
    }
}
