package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.shutdown.GracefulShutdown;

/**
 * A node told to stop (what SIGTERM does: the context closes) while it runs streams: readiness goes down at once, a
 * new stream is refused with 503 {@code unavailable} + {@code Retry-After}, a stream that ends within
 * {@code SHUTDOWN_DRAIN_S} completes normally, the rest end with the retryable {@code unavailable} error on every
 * tab (also the other node's), and the user can retry on the other node at once.
 */
@MultiNodeTest.Nodes(value = 2, properties = "gateway.shutdown.drain=3s")
class GracefulShutdownIT extends MultiNodeTest {

    @Test
    void aStoppingNodeRefusesNewStreamsLetsShortOnesFinishAndEndsTheRestRetryable() throws Exception {
        GatewayCluster.Node leaving = cluster.node(0);
        GatewayCluster.Node staying = cluster.node(1);
        String user = newUser("drain");
        String token = login(staying, user);
        ai.planner = q -> q.startsWith("short") ? AiReply.slow(tokens("s", 30), Duration.ofMillis(40))
                : AiReply.slow(tokens("l", 1000), Duration.ofMillis(20));
        try (UserSocket leavingTab = connectedTab(leaving, token);
             UserSocket stayingTab = connectedTab(staying, token)) {
            awaitSubscribed(staying, user);
            Map<?, ?> longOne = ask(leaving, token, "long answer");
            Map<?, ?> shortOne = ask(leaving, token, "short answer");
            String longId = (String) longOne.get("streamId");
            String shortId = (String) shortOne.get("streamId");
            await().atMost(Duration.ofSeconds(10)).until(() -> stayingTab.received.stream()
                    .filter(e -> e.event().equals("chat-stream-start")).count() == 2);

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
            for (UserSocket tab : List.of(leavingTab, stayingTab)) {
                assertThat(tab.finalOf(shortId).event()).isEqualTo("chat-stream-complete");
                assertThat(tab.finalOf(longId).event()).isEqualTo("chat-stream-error");
                JSONObject error = tab.finalOf(longId).payload();
                assertThat(error.getJSONObject("error").getString("code")).isEqualTo("unavailable");
                assertThat(error.getBoolean("retryable")).isTrue();
            }
            assertThat(closedAfterMs).as("drain of 3 s, then the servers stop").isBetween(2_500L, 30_000L);

            // The client retries on the other node at once: the session is free.
            retry(staying.http(), token, longOne);
        }
    }
}
