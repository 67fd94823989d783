package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.socket.StreamCommands.ResumeStatus;
import dev.streamchat.gateway.socket.StreamCommands.StopResult;
import reactor.core.publisher.Mono;

/**
 * The gateway's Socket.IO server against the official JavaScript {@code socket.io-client} 4.x (Node), over
 * websocket, polling, and polling upgraded to websocket: the auth matrix with no automatic reconnect, cookie-only
 * connects, the Origin policy, acks and server events with null keys.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + TestBackends.AI_KEY,
        "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN,
})
class SocketJsClientIT {

    static final int SOCKET_PORT = TestBackends.freePort();
    static final String URL = "http://127.0.0.1:" + SOCKET_PORT;
    static final List<String> WEBSOCKET = List.of("websocket");
    static final List<String> POLLING = List.of("polling");
    /** Default client transports: polling first, then upgrade to websocket. */
    static final List<String> UPGRADE = null;

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, SOCKET_PORT);
    }

    @MockitoBean
    StreamCommands streamCommands;

    @Autowired
    JwtTokens tokens;

    private static Map<String, Object> scenario(String name, List<String> transports) {
        Map<String, Object> scenario = new LinkedHashMap<>();
        scenario.put("name", name);
        scenario.put("url", URL);
        scenario.put("transports", transports);
        return scenario;
    }

    private static Map<String, Object> withAuth(Map<String, Object> scenario, String token) {
        scenario.put("auth", Map.of("token", token));
        return scenario;
    }

    private static Map<String, Object> withCookie(Map<String, Object> scenario, String token) {
        scenario.put("cookie", token);
        return scenario;
    }

    private static Map<String, Object> withOrigin(Map<String, Object> scenario, String origin) {
        scenario.put("origin", origin);
        return scenario;
    }

    private static String expired(String userId) {
        return new JwtTokens(TestBackends.JWT_SECRET, Duration.ofSeconds(-60), Clock.systemUTC()).issue(userId, "free");
    }

    private static Map<String, Map<String, Object>> byName(List<Map<String, Object>> results) {
        Map<String, Map<String, Object>> byName = new HashMap<>();
        results.forEach(result -> byName.put((String) result.get("name"), result));
        return byName;
    }

    @Test
    void refusedClientsGetUnauthorizedAndDoNotReconnect() {
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (List<String> transports : java.util.Arrays.asList(WEBSOCKET, POLLING)) {
            String t = String.valueOf(transports);
            scenarios.add(scenario("none " + t, transports));
            scenarios.add(withAuth(scenario("bad auth " + t, transports), "garbage"));
            scenarios.add(withAuth(scenario("expired auth " + t, transports), expired("alice")));
            scenarios.add(withCookie(scenario("bad cookie " + t, transports), "garbage"));
            scenarios.add(withCookie(scenario("expired cookie " + t, transports), expired("alice")));
        }
        List<Map<String, Object>> results = NodeSocketHarness.run(scenarios);
        assertThat(results).hasSize(scenarios.size()).allSatisfy(result -> {
            assertThat(result.get("connectError")).as(result.get("name") + " error").isEqualTo("unauthorized");
            assertThat(result.get("connected")).as(result.get("name") + " connected").isEqualTo(false);
            assertThat(result.get("active")).as(result.get("name") + " will retry").isEqualTo(false);
            assertThat(result.get("reconnectAttempts")).as(result.get("name") + " reconnects").isEqualTo(0);
        });
    }

    @Test
    void validTokenOrCookieConnectsOnEveryTransportMode() {
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (List<String> transports : java.util.Arrays.asList(WEBSOCKET, POLLING, UPGRADE)) {
            String t = String.valueOf(transports);
            scenarios.add(withAuth(scenario("auth " + t, transports), tokens.issue("alice", "free")));
            scenarios.add(withCookie(scenario("cookie " + t, transports), tokens.issue("alice", "free")));
        }
        // Several concurrent upgrades: netty-socketio alone loses some of them to a poll-cycle race.
        for (int i = 0; i < 6; i++) {
            scenarios.add(withAuth(scenario("upgrade " + i, UPGRADE), tokens.issue("alice", "free")));
        }
        Map<String, Map<String, Object>> results = byName(NodeSocketHarness.run(scenarios));
        assertThat(results).hasSize(12).allSatisfy((name, result) -> {
            assertThat(result.get("connected")).as(name).isEqualTo(true);
            assertThat(result.get("connectError")).as(name).isNull();
        });
        assertThat(results.get("auth [websocket]").get("transport")).isEqualTo("websocket");
        assertThat(results.get("auth [polling]").get("transport")).isEqualTo("polling");
        assertThat(results.get("auth null").get("transport")).isEqualTo("websocket");
        assertThat(results.get("auth null").get("upgraded")).isEqualTo(true);
        assertThat(results.get("cookie null").get("transport")).isEqualTo("websocket");
        assertThat(results.get("cookie [polling]").get("upgraded")).isEqualTo(false);
        for (int i = 0; i < 6; i++) {
            assertThat(results.get("upgrade " + i).get("transport")).as("upgrade " + i).isEqualTo("websocket");
        }
    }

    @Test
    void foreignOriginsAreRefusedAndNoOriginOrAllowedOnesConnect() {
        String token = tokens.issue("alice", "free");
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (List<String> transports : java.util.Arrays.asList(WEBSOCKET, POLLING, UPGRADE)) {
            String t = String.valueOf(transports);
            scenarios.add(withOrigin(withAuth(scenario("foreign " + t, transports), token), "http://evil.example"));
            scenarios.add(withOrigin(withAuth(scenario("allowed " + t, transports), token), TestBackends.ALLOWED_ORIGIN));
            scenarios.add(withAuth(scenario("no origin " + t, transports), token));
        }
        Map<String, Map<String, Object>> results = byName(NodeSocketHarness.run(scenarios));
        results.forEach((name, result) -> {
            if (name.startsWith("foreign")) {
                assertThat(result.get("connected")).as(name).isEqualTo(false);
                assertThat(result.get("connectError")).as(name).isNotNull();
            } else {
                assertThat(result.get("connected")).as(name).isEqualTo(true);
            }
        });
    }

    @Test
    @SuppressWarnings("unchecked")
    void acksAndServerEventsReachTheJavaScriptClient() {
        when(streamCommands.stop("alice", "s-live")).thenReturn(Mono.just(StopResult.STOPPING));
        when(streamCommands.resume(eq("alice"), eq("s-live"), eq(1L), any(), any())).thenAnswer(invocation -> {
            Consumer<ResumeStatus> ackFirst = invocation.getArgument(3);
            BiConsumer<String, Object> send = invocation.getArgument(4);
            return Mono.fromCallable(() -> {
                ackFirst.accept(ResumeStatus.COMPLETE);
                Map<String, Object> token = new LinkedHashMap<>();
                token.put("sessionId", "sess");
                token.put("streamId", "s-live");
                token.put("seq", 2);
                token.put("token", "lo");
                send.accept(SocketEvents.STREAM_TOKEN, token);
                Map<String, Object> complete = new LinkedHashMap<>();
                complete.put("streamId", "s-live");
                complete.put("usage", null);
                complete.put("createdAt", java.time.Instant.parse("2026-11-23T18:00:00Z"));
                send.accept(SocketEvents.STREAM_COMPLETE, complete);
                return ResumeStatus.COMPLETE;
            });
        });
        List<Map<String, Object>> scenarios = new ArrayList<>();
        for (List<String> transports : java.util.Arrays.asList(WEBSOCKET, POLLING, UPGRADE)) {
            Map<String, Object> scenario = withAuth(scenario("acks " + transports, transports), tokens.issue("alice", "free"));
            scenario.put("emits", List.of(
                    Map.of("event", SocketEvents.CHAT_STOP, "payload", Map.of("streamId", "s-live")),
                    Map.of("event", SocketEvents.CHAT_STOP, "payload", "not-an-object"),
                    Map.of("event", SocketEvents.CHAT_RESUME, "payload", Map.of("streamId", "s-live", "afterSeq", 1))));
            scenario.put("listen", List.of(SocketEvents.STREAM_TOKEN, SocketEvents.STREAM_COMPLETE));
            scenario.put("waitEvents", 2);
            scenarios.add(scenario);
        }
        List<Map<String, Object>> results = NodeSocketHarness.run(scenarios);
        assertThat(results).allSatisfy(result -> {
            List<Map<String, Object>> acks = (List<Map<String, Object>>) result.get("acks");
            assertThat(acks).hasSize(3);
            assertThat(acks.get(0)).containsEntry("ok", true);
            assertThat(acks.get(1)).containsEntry("ok", false);
            assertThat((Map<String, Object>) acks.get(1).get("error")).containsEntry("code", "bad_request");
            assertThat(acks.get(2)).containsEntry("ok", true).containsEntry("status", "complete");
            List<Map<String, Object>> events = (List<Map<String, Object>>) result.get("events");
            assertThat(events).extracting(event -> event.get("event"))
                    .containsExactly(SocketEvents.STREAM_TOKEN, SocketEvents.STREAM_COMPLETE);
            Map<String, Object> complete = (Map<String, Object>) events.get(1).get("payload");
            assertThat(complete).containsEntry("usage", null).containsEntry("createdAt", "2026-11-23T18:00:00Z");
        });
    }
}
