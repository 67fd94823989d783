package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
import dev.streamchat.gateway.config.GatewayProcess;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;

/**
 * Gateway nodes as real processes next to an in-JVM node, sharing the stores: SIGTERM with a stream running ends it
 * retryable on the other node's tab within the drain; SIGKILL leaves the stream to its lease, after which resume on
 * the surviving node says {@code error} and a retry there starts at once.
 */
class NodeProcessFaultsIT {

    static FakeAiService ai;
    static GatewayCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        ai = new FakeAiService();
        cluster = GatewayCluster.start(1, ai.url(), FakeAiService.API_KEY, Map.of("gateway.shutdown.drain", "1s"));
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

    static WebTestClient http(String base) {
        return WebTestClient.bindToServer().baseUrl(base).responseTimeout(Duration.ofSeconds(30)).build();
    }

    static String login(String base, String userId) {
        AtomicReference<String> token = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var result = http(base).post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("userId", userId, "plan", "pro")).exchange().expectBody(Map.class).returnResult();
            if (result.getStatus().value() == 200) {
                token.set((String) result.getResponseBody().get("token"));
            }
            return token.get() != null;
        });
        return token.get();
    }

    static Map<?, ?> ask(String base, String token, String message) {
        return http(base).post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", message))
                .exchange().expectStatus().isAccepted().expectBody(Map.class).returnResult().getResponseBody();
    }

    static Socket tab(int port, String token, List<Object[]> events) {
        Socket socket = IO.socket(URI.create("http://127.0.0.1:" + port), IO.Options.builder().setForceNew(true)
                .setReconnection(false).setTransports(new String[] {"websocket"}).setAuth(Map.of("token", token)).build());
        for (String event : List.of("chat-stream-start", "chat-stream-token", "chat-stream-complete", "chat-stream-error")) {
            socket.on(event, args -> events.add(new Object[] {event, args[0]}));
        }
        socket.connect();
        return socket;
    }

    @Test
    void sigtermWithAStreamRunningEndsItRetryableOnTheOtherNodesTab() throws Exception {
        GatewayCluster.Node survivor = cluster.node(0);
        try (GatewayProcess leaving = GatewayProcess.start(cluster, ai.url(), FakeAiService.API_KEY,
                Map.of("SHUTDOWN_DRAIN_S", "2"))) {
            String user = "term-" + Long.toHexString(System.nanoTime());
            String token = login(survivor.http(), user);
            ai.planner = q -> AiReply.slow(IntStream.range(0, 2000).mapToObj(i -> "p" + i + " ").toList(), Duration.ofMillis(20));
            List<Object[]> events = new CopyOnWriteArrayList<>();
            Socket onSurvivor = tab(survivor.socketPort(), token, events);
            try {
                await().atMost(Duration.ofSeconds(15)).until(onSurvivor::connected);
                await().atMost(Duration.ofSeconds(10)).until(() -> survivor.bean(UserChannels.class).isSubscribed(user));
                Map<?, ?> accepted = ask(leaving.http(), token, "terminated mid-stream");
                String streamId = (String) accepted.get("streamId");
                await().atMost(Duration.ofSeconds(15)).until(() -> events.stream().filter(e -> e[0].equals("chat-stream-token")).count() >= 10);
                leaving.terminate();
                await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().anyMatch(e -> e[0].equals("chat-stream-error")));
                JSONObject error = (JSONObject) events.stream().filter(e -> e[0].equals("chat-stream-error")).findFirst().orElseThrow()[1];
                assertThat(error.getString("streamId")).isEqualTo(streamId);
                assertThat(error.getJSONObject("error").getString("code")).isEqualTo("unavailable");
                assertThat(error.getBoolean("retryable")).isTrue();
                assertThat(leaving.waitForExit(Duration.ofSeconds(30))).as("the node exits after draining").isTrue();
                // Every token the tab got came once and in order before the error.
                List<Long> seqs = events.stream().filter(e -> e[0].equals("chat-stream-token"))
                        .map(e -> ((JSONObject) e[1]).optLong("seq")).toList();
                assertThat(seqs).containsExactlyElementsOf(IntStream.rangeClosed(1, seqs.size()).mapToObj(i -> (long) i).toList());
                http(survivor.http()).post().uri("/api/v1/chat/sessions/" + accepted.get("sessionId") + "/retry")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("streamId", streamId)).exchange().expectStatus().isAccepted();
            } finally {
                onSurvivor.close();
            }
        }
    }

    @Test
    void sigkillLeavesTheStreamToItsLeaseThenResumeSaysErrorAndRetryWorksOnTheSurvivor() throws Exception {
        GatewayCluster.Node survivor = cluster.node(0);
        try (GatewayProcess doomed = GatewayProcess.start(cluster, ai.url(), FakeAiService.API_KEY,
                Map.of("STREAM_LEASE_TTL_S", "3"))) {
            String user = "kill-" + Long.toHexString(System.nanoTime());
            String token = login(survivor.http(), user);
            ai.planner = q -> AiReply.slow(IntStream.range(0, 2000).mapToObj(i -> "k" + i + " ").toList(), Duration.ofMillis(20));
            List<Object[]> events = new CopyOnWriteArrayList<>();
            Socket onSurvivor = tab(survivor.socketPort(), token, events);
            try {
                await().atMost(Duration.ofSeconds(15)).until(onSurvivor::connected);
                await().atMost(Duration.ofSeconds(10)).until(() -> survivor.bean(UserChannels.class).isSubscribed(user));
                Map<?, ?> accepted = ask(doomed.http(), token, "killed mid-stream");
                String streamId = (String) accepted.get("streamId");
                await().atMost(Duration.ofSeconds(15)).until(() -> events.stream().filter(e -> e[0].equals("chat-stream-token")).count() >= 10);
                doomed.kill();
                FakeAiService.Call call = ai.lastCallFor("killed mid-stream");
                await().atMost(Duration.ofSeconds(10)).until(() -> call.disconnected);
                // Within the lease (3 s) plus a margin, the stream reads as failed on the surviving node.
                await().atMost(Duration.ofSeconds(15)).until(() -> {
                    AtomicReference<JSONObject> ack = new AtomicReference<>();
                    onSurvivor.emit("chat-resume", new JSONObject().put("streamId", streamId).put("afterSeq", 0),
                            (Ack) args -> ack.set((JSONObject) args[0]));
                    await().atMost(Duration.ofSeconds(5)).until(() -> ack.get() != null);
                    return "error".equals(ack.get().optString("status"));
                });
                http(survivor.http()).post().uri("/api/v1/chat/sessions/" + accepted.get("sessionId") + "/retry")
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("streamId", streamId)).exchange().expectStatus().isAccepted();
                // Nothing was saved for the killed stream.
                Map<?, ?> sessions = http(survivor.http()).get().uri("/api/v1/chat/sessions/" + accepted.get("sessionId"))
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                        .expectBody(Map.class).returnResult().getResponseBody();
                assertThat(sessions == null || !sessions.containsKey("messages")
                        || ((List<?>) sessions.get("messages")).isEmpty()).isTrue();
            } finally {
                onSurvivor.close();
            }
        }
    }
}
