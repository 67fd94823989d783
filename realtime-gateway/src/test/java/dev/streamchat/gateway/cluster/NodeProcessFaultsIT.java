package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import io.micrometer.core.instrument.MeterRegistry;

import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.config.GatewayProcess;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;

/**
 * Gateway nodes as real processes next to two in-JVM nodes, sharing the stores: SIGTERM with a stream running ends it
 * retryable on the other nodes' tabs within the drain; SIGKILL leaves the stream to its lease, and once the lease
 * lapses one surviving node (exactly one) ends it: every tab on every surviving node gets one retryable
 * {@code chat-stream-error} without asking, resume there says {@code error}, and a retry there starts at once.
 * The nodes run a 3 s lease, so they sweep for lapsed leases every second.
 */
@MultiNodeTest.Nodes(value = 2, properties = {"gateway.shutdown.drain=1s", "gateway.stream.lease-ttl=3s"})
class NodeProcessFaultsIT extends MultiNodeTest {

    static GatewayProcess startProcess(Map<String, String> env) throws Exception {
        return GatewayProcess.start(cluster, ai.url(), FakeAiService.API_KEY, env);
    }

    static long tokensOf(UserSocket tab, String streamId) {
        return seqs(tab.ofStream(streamId)).size();
    }

    static void assertEndedRetryable(UserSocket tab, String streamId) throws Exception {
        UserSocket.Received last = tab.finalOf(streamId);
        assertThat(last.event()).isEqualTo("chat-stream-error");
        assertThat(last.payload().getJSONObject("error").getString("code")).isEqualTo("unavailable");
        assertThat(last.payload().getBoolean("retryable")).isTrue();
        // Every token the tab got came once and in order before the error.
        List<Long> seqs = seqs(tab.ofStream(streamId));
        assertThat(seqs).containsExactlyElementsOf(range(1, seqs.size()));
    }

    @Test
    void sigtermWithAStreamRunningEndsItRetryableOnTheOtherNodesTab() throws Exception {
        GatewayCluster.Node survivor = cluster.node(0);
        try (GatewayProcess leaving = startProcess(Map.of("SHUTDOWN_DRAIN_S", "2"))) {
            String user = newUser("term");
            String token = login(survivor, user);
            ai.planner = q -> AiReply.slow(tokens("p", 2000), Duration.ofMillis(20));
            try (UserSocket onSurvivor = connectedTab(survivor, token)) {
                awaitSubscribed(survivor, user);
                Map<?, ?> accepted = ask(leaving.http(), token, "terminated mid-stream");
                String streamId = (String) accepted.get("streamId");
                await().atMost(Duration.ofSeconds(15)).until(() -> tokensOf(onSurvivor, streamId) >= 10);
                leaving.terminate();
                await().atMost(Duration.ofSeconds(30)).until(() -> onSurvivor.finalOf(streamId) != null);
                assertEndedRetryable(onSurvivor, streamId);
                assertThat(leaving.waitForExit(Duration.ofSeconds(30))).as("the node exits after draining").isTrue();
                retry(survivor.http(), token, accepted);
            }
        }
    }

    @Test
    void sigkillEndsTheStreamOnEveryOtherTabOnceTheLeaseLapsesExactlyOnceAcrossNodes() throws Exception {
        GatewayCluster.Node a = cluster.node(0);
        GatewayCluster.Node b = cluster.node(1);
        try (GatewayProcess doomed = startProcess(Map.of("STREAM_LEASE_TTL_S", "3"))) {
            String user = newUser("kill");
            String token = login(a, user);
            ai.planner = q -> AiReply.slow(tokens("k", 2000), Duration.ofMillis(20));
            double sweptBefore = swept(a) + swept(b);
            try (UserSocket onA = connectedTab(a, token); UserSocket onB = connectedTab(b, token)) {
                awaitSubscribed(a, user);
                awaitSubscribed(b, user);
                Map<?, ?> accepted = ask(doomed.http(), token, "killed mid-stream");
                String streamId = (String) accepted.get("streamId");
                await().atMost(Duration.ofSeconds(15)).until(() -> tokensOf(onA, streamId) >= 10 && tokensOf(onB, streamId) >= 10);
                doomed.kill();
                long killedAt = System.nanoTime();
                FakeAiService.Call call = ai.lastCallFor("killed mid-stream");
                await().atMost(Duration.ofSeconds(10)).until(() -> call.disconnected);

                // No tab asks anything: the lease (3 s) lapses, a survivor's sweep (every 1 s) ends the stream.
                await().atMost(Duration.ofSeconds(20)).until(() -> onA.finalOf(streamId) != null && onB.finalOf(streamId) != null);
                long endedAfterMs = (System.nanoTime() - killedAt) / 1_000_000;
                System.out.printf("LEASE terminal event on the surviving tabs %d ms after SIGKILL (lease 3 s)%n", endedAfterMs);
                for (UserSocket tab : List.of(onA, onB)) {
                    assertEndedRetryable(tab, streamId);
                }
                // Exactly one node ended it, and no tab got a second final event meanwhile.
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5))
                        .until(() -> onA.finalsOf(streamId) == 1 && onB.finalsOf(streamId) == 1);
                assertThat(swept(a) + swept(b) - sweptBefore).isEqualTo(1.0);

                // Resume on a survivor: status error, then the same final event from the log.
                AtomicReference<JSONObject> ack = onA.resume(streamId, tokensOf(onA, streamId));
                await().atMost(Duration.ofSeconds(10)).until(() -> ack.get() != null);
                assertThat(ack.get().getString("status")).isEqualTo("error");
                await().atMost(Duration.ofSeconds(10)).until(() -> onA.finalsOf(streamId) == 2);

                retry(a.http(), token, accepted);
                // Nothing was saved for the killed stream.
                Map<?, ?> session = http(a).get().uri("/api/v1/chat/sessions/" + accepted.get("sessionId"))
                        .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).exchange()
                        .expectBody(Map.class).returnResult().getResponseBody();
                assertThat(session == null || !session.containsKey("messages")
                        || ((List<?>) session.get("messages")).isEmpty()).isTrue();
            }
        }
    }

    static double swept(GatewayCluster.Node node) {
        return node.bean(MeterRegistry.class).counter("gateway.stream.lease.expired").count();
    }
}
