package dev.streamchat.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.testing.AiReply;
import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.config.GatewayCluster;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.KeyScanCursor;

/**
 * Redis restarted (empty, as without persistence) in the middle of a stream: the stream keeps flowing to the tabs on
 * the node that runs it and, once the subscription is back, to the tabs on the other node, each seq once and in
 * order; it completes and is saved; and every key Redis holds afterwards has a TTL.
 */
class RedisRestartIT {

    static FakeAiService ai;
    static GatewayCluster cluster;

    @BeforeAll
    static void startCluster() throws IOException {
        ai = new FakeAiService();
        cluster = GatewayCluster.start(2, ai.url(), FakeAiService.API_KEY, Map.of());
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

    @Test
    void aStreamSurvivesARedisRestartOnBothNodesAndLeavesNoKeyWithoutTtl() throws Exception {
        GatewayCluster.Node a = cluster.node(0);
        GatewayCluster.Node b = cluster.node(1);
        String user = "rr-" + Long.toHexString(System.nanoTime());
        String token = MultiNodeFanoutIT.login(a, user);
        int total = 200;
        ai.planner = q -> AiReply.slow(MultiNodeFanoutIT.tokens("x", total), Duration.ofMillis(25));
        try (UserSocket onA = new UserSocket(a.socketPort(), token);
             UserSocket onB = new UserSocket(b.socketPort(), token)) {
            await().atMost(Duration.ofSeconds(15)).until(() -> onA.connected.get() && onB.connected.get());
            await().atMost(Duration.ofSeconds(10)).until(() -> b.bean(UserChannels.class).isSubscribed(user));
            String streamId = MultiNodeFanoutIT.ask(a, token, "through a redis restart");
            await().atMost(Duration.ofSeconds(10)).until(() -> MultiNodeFanoutIT.seqs(onB.ofStream(streamId)).size() >= 20);

            cluster.stopRedis();
            int seenOnADuringOutage = MultiNodeFanoutIT.seqs(onA.ofStream(streamId)).size();
            // Tokens keep reaching the tab on the node that runs the stream while Redis is down.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    MultiNodeFanoutIT.seqs(onA.ofStream(streamId)).size() >= seenOnADuringOutage + 20);
            cluster.startRedis();

            await().atMost(Duration.ofSeconds(60)).until(() -> onA.ended() == 1 && onB.ended() == 1);
            for (UserSocket tab : List.of(onA, onB)) {
                List<UserSocket.Received> events = tab.ofStream(streamId);
                assertThat(events.get(0).event()).isEqualTo("chat-stream-start");
                assertThat(MultiNodeFanoutIT.seqs(events)).containsExactlyElementsOf(MultiNodeFanoutIT.range(1, total));
                UserSocket.Received last = events.get(events.size() - 1);
                assertThat(last.event()).isEqualTo("chat-stream-complete");
                assertThat(last.payload().getBoolean("persisted")).isTrue();
            }
        }
        assertThat(keysWithoutTtl()).isEmpty();
    }

    /** Every key in the cluster's Redis that would live forever. */
    static List<String> keysWithoutTtl() {
        RedisClient client = RedisClient.create(cluster.redisUrl());
        try (var connection = client.connect()) {
            var redis = connection.sync();
            List<String> forever = new ArrayList<>();
            KeyScanCursor<String> cursor = redis.scan(ScanArgs.Builder.limit(500));
            while (true) {
                for (String key : cursor.getKeys()) {
                    if (redis.pttl(key) == -1) {
                        forever.add(key);
                    }
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = redis.scan(ScanCursor.of(cursor.getCursor()), ScanArgs.Builder.limit(500));
            }
            return forever;
        } finally {
            client.shutdown();
        }
    }
}
