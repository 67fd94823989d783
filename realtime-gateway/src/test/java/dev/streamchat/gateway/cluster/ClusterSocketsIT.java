package dev.streamchat.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;

import dev.streamchat.gateway.config.GatewayCluster;
import dev.streamchat.gateway.testing.MultiNodeTest;
import dev.streamchat.gateway.testing.UserSocket;

/**
 * A user's sockets across two nodes: {@code SOCKET_MAX_PER_USER} counts them on all nodes together (Redis), a dead
 * node's count stops counting once its liveness key is gone, and a logout on one node signs out that token's sockets
 * on the other node too (other tokens of the user keep theirs).
 */
@MultiNodeTest.Nodes(value = 2, properties = "gateway.socket.max-per-user=" + ClusterSocketsIT.MAX)
class ClusterSocketsIT extends MultiNodeTest {

    static final int MAX = 3;


    /** The user's sockets as every live node counted them in Redis. */
    static long countedInRedis(String userId) {
        return withRedis(redis -> redis.hvals(RedisSocketCounts.key(userId)).stream().mapToLong(Long::parseLong).sum());
    }

    @Test
    void theSocketCapCountsTheUsersSocketsOnEveryNode() {
        signInOnTwoNodes("cap");
        try (UserSocket a1 = connectedTab(a, token); UserSocket a2 = connectedTab(a, token);
             UserSocket b1 = connectedTab(b, token)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> countedInRedis(user) == MAX);
            // Node b holds one socket of the user, far under the cap on its own: the cluster-wide count refuses it.
            try (UserSocket over = new UserSocket(b.socketPort(), token)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> over.closedByServer.get());
                assertThat(over.socketErrors()).anySatisfy(error ->
                        assertThat(error.optString("code")).isEqualTo("too_many_sockets"));
            }
            assertThat(countedInRedis(user)).isEqualTo(MAX);
            assertThat(a1.connected.get() && a2.connected.get() && b1.connected.get()).isTrue();

            // One closes on a: one more fits, on b.
            a2.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> countedInRedis(user) == MAX - 1);
            try (UserSocket again = connectedTab(b, token)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> countedInRedis(user) == MAX);
                assertThat(again.socketErrors()).isEmpty();
                assertThat(again.connected.get()).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> countedInRedis(user) == 0);
    }

    @Test
    void aDeadNodesSocketsStopCountingOnceItsLivenessLapses() {
        GatewayCluster.Node a = cluster.node(0);
        String user = newUser("dead");
        String token = login(a, user);
        // A node that died holding the user's whole allowance: its count is there, its liveness key is not.
        withRedis(redis -> redis.hset(RedisSocketCounts.key(user), "n-killed-node", Integer.toString(MAX)));
        withRedis(redis -> redis.pexpire(RedisSocketCounts.key(user), 60_000));
        try (UserSocket tab = connectedTab(a, token)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> countedInRedis(user) == 1);
            Boolean deadStillCounted = withRedis(redis -> redis.hexists(RedisSocketCounts.key(user), "n-killed-node"));
            assertThat(deadStillCounted).isFalse();
            assertThat(tab.socketErrors()).isEmpty();
            assertThat(tab.connected.get()).isTrue();
        }
    }

    @Test
    void logoutOnOneNodeSignsThatTokensSocketsOutOnTheOtherNode() {
        signInOnTwoNodes("logout");
        // A second sign-in of the same user (tokens are per second: wait for a different one).
        java.util.concurrent.atomic.AtomicReference<String> other = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> !token.equals(other.updateAndGet(t -> login(b, user))));
        String otherToken = other.get();
        try (UserSocket onB = connectedTab(b, token); UserSocket otherOnB = connectedTab(b, otherToken)) {
            awaitSubscribed(b, user);
            http(a).post().uri("/api/v1/auth/logout").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .exchange().expectStatus().isNoContent();
            await().atMost(Duration.ofSeconds(10)).until(() -> onB.closedByServer.get());
            assertThat(onB.socketErrors()).anySatisfy(error ->
                    assertThat(error.optString("code")).isEqualTo("unauthorized"));
            // Another token of the same user is not signed out.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(otherOnB.connected::get);
            assertThat(otherOnB.socketErrors()).isEmpty();
        }
    }
}
