package dev.streamchat.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.LinkedHashMap;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.config.GatewayCluster;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.sync.RedisCommands;

/**
 * The opening every several-nodes IT shares: a {@link FakeAiService} and a {@link GatewayCluster} of in-JVM nodes
 * (own embedded Redis and MongoDB-wire server, so a test may stop and restart them), sized and set by the class's
 * {@link Nodes} annotation, started before the class and closed after it; plus the client steps those tests
 * repeat: sign in, ask, wait for a node's fan-out subscription, read Redis. On this loaded build machine a store
 * call may pass its 1.8 s bound, so sign-in and ask retry a 503 as a client would (never any other status).
 */
public abstract class MultiNodeTest {

    /** How many nodes the class needs (default 2) and the settings every node gets ({@code "name=value"}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface Nodes {
        int value() default 2;

        String[] properties() default {};
    }

    protected static FakeAiService ai;
    protected static GatewayCluster cluster;

    @BeforeAll
    static void startCluster(TestInfo testClass) {
        Nodes nodes = testClass.getTestClass().map(c -> c.getAnnotation(Nodes.class)).orElse(null);
        Map<String, Object> properties = new LinkedHashMap<>();
        for (String setting : nodes == null ? new String[0] : nodes.properties()) {
            int eq = setting.indexOf('=');
            properties.put(setting.substring(0, eq), setting.substring(eq + 1));
        }
        ai = new FakeAiService();
        cluster = GatewayCluster.start(nodes == null ? 2 : nodes.value(), ai.url(), FakeAiService.API_KEY, properties);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
        if (ai != null) {
            ai.close();
            ai = null;
        }
    }

    /** The first two nodes and the user {@link #signInOnTwoNodes} signed in on {@link #a} (each test its own). */
    protected GatewayCluster.Node a;
    protected GatewayCluster.Node b;
    protected String user;
    protected String token;

    /**
     * The opening of a test about one user across two nodes: sets {@link #a} and {@link #b} to the first two nodes,
     * {@link #user} to a fresh id with {@code userPrefix} and {@link #token} to its pro JWT, signed in on {@code a}.
     */
    protected void signInOnTwoNodes(String userPrefix) {
        a = cluster.node(0);
        b = cluster.node(1);
        user = newUser(userPrefix);
        token = login(a, user);
    }

    protected static WebTestClient http(String base) {
        return WebTestClient.bindToServer().baseUrl(base).responseTimeout(Duration.ofSeconds(30)).build();
    }

    protected static WebTestClient http(GatewayCluster.Node node) {
        return http(node.http());
    }

    /** A fresh user id with {@code prefix} (each test its own user). */
    protected static String newUser(String prefix) {
        return prefix + "-" + Long.toHexString(System.nanoTime());
    }

    /** Signs in through dev-login on {@code base} as a pro user; the JWT. */
    protected static String login(String base, String userId) {
        return login(base, userId, "pro");
    }

    protected static String login(GatewayCluster.Node node, String userId) {
        return login(node.http(), userId, "pro");
    }

    protected static String login(GatewayCluster.Node node, String userId, String plan) {
        return login(node.http(), userId, plan);
    }

    protected static String login(String base, String userId, String plan) {
        AtomicReference<String> token = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var result = http(base).post().uri("/api/v1/auth/dev-login").contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("userId", userId, "plan", plan)).exchange().expectBody(Map.class).returnResult();
            if (result.getStatus().value() == 200) {
                token.set((String) result.getResponseBody().get("token"));
            }
            return token.get() != null;
        });
        return token.get();
    }

    /** {@code POST /chat/new} on {@code base}: the 202 body ({@code sessionId}, {@code streamId}, ...). */
    protected static Map<?, ?> ask(String base, String token, String message) {
        AtomicReference<Map<?, ?>> accepted = new AtomicReference<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            var result = http(base).post().uri("/api/v1/chat/new").header(HttpHeaders.AUTHORIZATION, "Bearer " + token)
                    .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("message", message))
                    .exchange().expectBody(Map.class).returnResult();
            if (result.getStatus().value() == 202) {
                accepted.set(result.getResponseBody());
                return true;
            }
            assertThat(result.getStatus().value()).as("only a 503 may be retried").isEqualTo(503);
            return false;
        });
        return accepted.get();
    }

    protected static Map<?, ?> ask(GatewayCluster.Node node, String token, String message) {
        return ask(node.http(), token, message);
    }

    /** Starts a stream on {@code node}; its stream id. */
    protected static String askStream(GatewayCluster.Node node, String token, String message) {
        return (String) ask(node, token, message).get("streamId");
    }

    /** {@code POST /sessions/{id}/retry {streamId}} on {@code base} answers 202. */
    protected static void retry(String base, String token, Map<?, ?> accepted) {
        http(base).post().uri("/api/v1/chat/sessions/" + accepted.get("sessionId") + "/retry")
                .header(HttpHeaders.AUTHORIZATION, "Bearer " + token).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("streamId", accepted.get("streamId"))).exchange().expectStatus().isAccepted();
    }

    /** Waits until {@code node} holds a confirmed fan-out subscription for the user (frames published later reach it). */
    protected static void awaitSubscribed(GatewayCluster.Node node, String userId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> node.bean(UserChannels.class).isSubscribed(userId));
    }

    /** A tab (Java socket.io client) on {@code node}, connected. */
    protected static UserSocket connectedTab(GatewayCluster.Node node, String token) {
        UserSocket tab = new UserSocket(node.socketPort(), token);
        await().atMost(Duration.ofSeconds(15)).until(tab.connected::get);
        return tab;
    }

    protected static List<String> tokens(String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i + " ").toList();
    }

    protected static List<Long> seqs(List<UserSocket.Received> events) {
        return events.stream().filter(e -> e.event().equals("chat-stream-token")).map(UserSocket.Received::seq).toList();
    }

    protected static List<Long> range(long from, long to) {
        return IntStream.rangeClosed((int) from, (int) to).mapToObj(i -> (long) i).toList();
    }

    /** Runs {@code work} with a synchronous connection to the cluster's Redis. */
    protected static <T> T withRedis(java.util.function.Function<RedisCommands<String, String>, T> work) {
        RedisClient client = RedisClient.create(cluster.redisUrl());
        try (var connection = client.connect()) {
            return work.apply(connection.sync());
        } finally {
            client.shutdown();
        }
    }

    /** Every key in the cluster's Redis that would live forever (SCAN + PTTL). */
    protected static List<String> keysWithoutTtl() {
        return withRedis(redis -> {
            List<String> forever = new ArrayList<>();
            KeyScanCursor<String> cursor = redis.scan(ScanArgs.Builder.limit(500));
            while (true) {
                for (String key : cursor.getKeys()) {
                    if (redis.pttl(key) == -1) {
                        forever.add(key);
                    }
                }
                if (cursor.isFinished()) {
                    return forever;
                }
                cursor = redis.scan(ScanCursor.of(cursor.getCursor()), ScanArgs.Builder.limit(500));
            }
        });
    }
}
