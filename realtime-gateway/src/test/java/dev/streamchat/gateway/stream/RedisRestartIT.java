package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;
import dev.streamchat.gateway.testing.AiReply;

/**
 * Redis restarted (empty, as without persistence) in the middle of a stream: the stream keeps flowing to the tabs on
 * the node that runs it and, once the subscription is back, to the tabs on the other node, each seq once and in
 * order; it completes and is saved; and every key Redis holds afterwards has a TTL.
 */
@MultiNodeTest.Nodes(2)
class RedisRestartIT extends MultiNodeTest {

    @Test
    void aStreamSurvivesARedisRestartOnBothNodesAndLeavesNoKeyWithoutTtl() throws Exception {
        signInOnTwoNodes("rr");
        int total = 200;
        ai.planner = q -> AiReply.slow(tokens("x", total), Duration.ofMillis(25));
        try (UserSocket onA = connectedTab(a, token);
             UserSocket onB = connectedTab(b, token)) {
            awaitSubscribed(b, user);
            String streamId = askStream(a, token, "through a redis restart");
            await().atMost(Duration.ofSeconds(10)).until(() -> seqs(onB.ofStream(streamId)).size() >= 20);

            cluster.stopRedis();
            int seenOnADuringOutage = seqs(onA.ofStream(streamId)).size();
            // Tokens keep reaching the tab on the node that runs the stream while Redis is down.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    seqs(onA.ofStream(streamId)).size() >= seenOnADuringOutage + 20);
            cluster.startRedis();

            await().atMost(Duration.ofSeconds(60)).until(() -> onA.ended() == 1 && onB.ended() == 1);
            for (UserSocket tab : List.of(onA, onB)) {
                List<UserSocket.Received> events = tab.ofStream(streamId);
                assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
                assertThat(seqs(events)).containsExactlyElementsOf(range(1, total));
                UserSocket.Received last = events.get(events.size() - 1);
                assertThat(last.event()).isEqualTo("chat-stream-complete");
                assertThat(last.payload().getBoolean("persisted")).isTrue();
            }
        }
        assertThat(keysWithoutTtl()).isEmpty();
    }
}
