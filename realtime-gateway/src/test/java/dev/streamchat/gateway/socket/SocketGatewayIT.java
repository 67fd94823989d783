package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.when;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.testing.GatewayStackTest;
import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.socket.StreamCommands.ResumeStatus;
import dev.streamchat.gateway.socket.StreamCommands.StopResult;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * The real netty-socketio server of the gateway driven by the Java socket.io client: auth on both transports,
 * Origin policy, rooms, contract JSON, chat-stop / chat-resume acks, socket caps.
 */
@TestPropertySource(properties = {
        "gateway.auth.allowed-origins=" + TestBackends.ALLOWED_ORIGIN,
        "gateway.socket.max-payload=4KB",
        "gateway.socket.max-events-per-second=10",
        // The Java client's polling transport waits for the pending long-poll when it closes, and holds its one
        // event thread (every socket of the JVM) meanwhile: a short ping interval keeps that wait short.
        "gateway.socket.ping-interval=1000ms",
        "gateway.socket.ping-timeout=5000ms",
        "gateway.socket.auth-timeout=2s",
})
class SocketGatewayIT extends GatewayStackTest {

    static final String FOREIGN_ORIGIN = "http://evil.example";

    @MockitoBean
    StreamCommands streamCommands;

    @Autowired
    JwtTokens tokens;

    @Autowired
    UserEvents userEvents;

    @Autowired
    SocketIONamespace namespace;

    @Autowired
    MeterRegistry meters;

    @Autowired
    SocketServerLifecycle socketServer;

    private final List<RecordingSocket> sockets = new ArrayList<>();

    @AfterEach
    void closeSockets() {
        sockets.forEach(RecordingSocket::close);
    }

    private RecordingSocket open(RecordingSocket.Builder builder) {
        RecordingSocket socket = builder.connect();
        sockets.add(socket);
        return socket;
    }

    private RecordingSocket.Builder client(String transport) {
        return RecordingSocket.to(socketPort).transport(transport);
    }

    private static String expired(String userId) {
        return new JwtTokens(TestBackends.JWT_SECRET, Duration.ofSeconds(-60), Clock.systemUTC()).issue(userId, "free");
    }

    private static String forged(String userId) {
        return new JwtTokens("another-secret-another-secret-another-secret", Duration.ofHours(1), Clock.systemUTC())
                .issue(userId, "free");
    }

    private static void awaitRefused(RecordingSocket socket) {
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.connectError() != null);
        assertThat(socket.connectError()).isEqualTo("unauthorized");
        assertThat(socket.connected()).isFalse();
    }

    private static void awaitConnected(RecordingSocket socket) {
        await().atMost(Duration.ofSeconds(10)).until(() -> socket.connected() || socket.connectError() != null);
        assertThat(socket.connectError()).isNull();
        assertThat(socket.connected()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void refusesEveryMissingOrBadCredentialWithUnauthorized(String transport) {
        List<RecordingSocket> refused = List.of(
                open(client(transport)),
                open(client(transport).authToken("garbage")),
                open(client(transport).authToken(expired("alice"))),
                open(client(transport).authToken(forged("alice"))),
                open(client(transport).cookie("garbage")),
                open(client(transport).cookie(expired("alice"))),
                open(client(transport).cookie(forged("alice"))),
                // A bad auth.token is refused even with a valid cookie: the explicit credential wins.
                open(client(transport).authToken("garbage").cookie(tokens.issue("alice", "free"))));
        refused.forEach(SocketGatewayIT::awaitRefused);
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void acceptsAValidAuthTokenOrAValidCookieAlone(String transport) {
        RecordingSocket byToken = open(client(transport).authToken(tokens.issue("alice", "free")));
        RecordingSocket byCookie = open(client(transport).cookie(tokens.issue("alice", "free")));
        awaitConnected(byToken);
        awaitConnected(byCookie);
        assertThat(roomsOf(byToken)).containsExactly("alice");
        assertThat(roomsOf(byCookie)).containsExactly("alice");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void refusesAForeignOriginAndAllowsNoOriginOrAnAllowedOne(String transport) {
        RecordingSocket foreign = open(client(transport).origin(FOREIGN_ORIGIN).authToken(tokens.issue("alice", "free")));
        RecordingSocket allowed = open(client(transport).origin(TestBackends.ALLOWED_ORIGIN).authToken(tokens.issue("alice", "free")));
        RecordingSocket none = open(client(transport).authToken(tokens.issue("alice", "free")));
        await().atMost(Duration.ofSeconds(10)).until(() -> foreign.connectError() != null);
        assertThat(foreign.connected()).isFalse();
        awaitConnected(allowed);
        awaitConnected(none);
    }

    @Test
    void httpLevelOriginChecksCoverHandshakePollsAndUpgrades() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=polling";
        HttpResponse<String> foreign = http.send(HttpRequest.newBuilder(URI.create(base)).header("Origin", FOREIGN_ORIGIN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(foreign.statusCode()).isEqualTo(403);
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();

        HttpResponse<String> allowed = http.send(HttpRequest.newBuilder(URI.create(base)).header("Origin", TestBackends.ALLOWED_ORIGIN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin")).contains(TestBackends.ALLOWED_ORIGIN);
        assertThat(allowed.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");

        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(200);
        String sid = new JSONObject(none.body().substring(1)).getString("sid");

        // A request bound to an existing session is checked too (netty-socketio only checks the first one).
        HttpResponse<String> foreignPoll = http.send(HttpRequest.newBuilder(URI.create(base + "&sid=" + sid))
                .header("Origin", FOREIGN_ORIGIN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(foreignPoll.statusCode()).isEqualTo(403);

        for (String ws : new String[] {"ws://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=websocket",
                "ws://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=websocket&sid=" + sid}) {
            var upgrade = http.newWebSocketBuilder().header("Origin", FOREIGN_ORIGIN)
                    .buildAsync(URI.create(ws), new WebSocket.Listener() { });
            assertThat(upgrade).failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                    .havingRootCause().withMessageContaining("403");
        }
        WebSocket accepted = http.newWebSocketBuilder().header("Origin", TestBackends.ALLOWED_ORIGIN)
                .buildAsync(URI.create("ws://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=websocket"),
                        new WebSocket.Listener() { })
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        accepted.abort();
    }

    @Test
    void refusesEngineIoVersionsOtherThanFour() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String query : new String[] {"EIO=3&transport=polling", "transport=polling"}) {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + socketPort + "/socket.io/?" + query)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(query).isEqualTo(400);
        }
    }

    @Test
    void closesAnEngineIoSessionThatNeverAuthenticates() throws Exception {
        java.util.concurrent.CompletableFuture<String> sid = new java.util.concurrent.CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient().newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + socketPort + "/socket.io/?EIO=4&transport=websocket"),
                        new WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                                String text = data.toString();
                                if (text.startsWith("0{")) {
                                    sid.complete(((Map<?, ?>) RecordingSocket.toJava(jsonObject(text.substring(1)))).get("sid").toString());
                                }
                                // Answer Engine.IO pings so that only the missing CONNECT can end the session.
                                if ("2".equals(text)) {
                                    webSocket.sendText("3", true);
                                }
                                webSocket.request(1);
                                return null;
                            }
                        })
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        java.util.UUID session = java.util.UUID.fromString(sid.get(10, java.util.concurrent.TimeUnit.SECONDS));
        // netty-socketio writes the open packet, then adds the session to the namespace: the client can be first.
        await().atMost(Duration.ofSeconds(5)).until(() -> namespace.getClient(session) != null);
        // auth-timeout is 2 s; pings are answered, so the ping timeout cannot be what ends it.
        await().atMost(Duration.ofSeconds(6)).until(() -> namespace.getClient(session) == null);
        socket.abort();
    }

    @Test
    void userEventsReachEverySocketOfTheUserAndNoOtherUser() {
        RecordingSocket aliceTab1 = open(client("websocket").authToken(tokens.issue("alice", "free")).listen(SocketEvents.DOCUMENT_READY));
        RecordingSocket aliceTab2 = open(client("polling").cookie(tokens.issue("alice", "free")).listen(SocketEvents.DOCUMENT_READY));
        RecordingSocket bob = open(client("websocket").authToken(tokens.issue("bob", "free")).listen(SocketEvents.DOCUMENT_READY));
        List.of(aliceTab1, aliceTab2, bob).forEach(SocketGatewayIT::awaitConnected);

        userEvents.emit("alice", SocketEvents.DOCUMENT_READY, Map.of("docId", "d-alice", "status", "ready"));
        await().atMost(Duration.ofSeconds(10)).until(() -> aliceTab1.events(SocketEvents.DOCUMENT_READY).size() == 1
                && aliceTab2.events(SocketEvents.DOCUMENT_READY).size() == 1);
        // Anything sent to bob after alice's event would arrive after it on bob's connection.
        userEvents.emit("bob", SocketEvents.DOCUMENT_READY, Map.of("docId", "d-bob", "status", "ready"));
        await().atMost(Duration.ofSeconds(10)).until(() -> !bob.events(SocketEvents.DOCUMENT_READY).isEmpty());
        assertThat(bob.events(SocketEvents.DOCUMENT_READY)).hasSize(1)
                .allSatisfy(data -> assertThat(field(data, "docId")).isEqualTo("d-bob"));
        assertThat(aliceTab1.events(SocketEvents.DOCUMENT_READY)).hasSize(1);
        // A user with no socket: nothing happens, nothing throws.
        userEvents.emit("nobody", SocketEvents.DOCUMENT_READY, Map.of("docId", "x", "status", "ready"));
    }

    /**
     * A stopped server can be started again (ConfigurableApplicationContext stop/start and restart, and the test
     * context cache's pause of a context that has one, stop and start its lifecycle beans): netty-socketio's stop ends
     * its pipeline's timer for good, and a handshake on the restarted server used to fail with "cannot be started once
     * stopped" before any CONNECT was answered.
     */
    @Test
    void acceptsSocketsAgainAfterTheServerIsStoppedAndStarted() {
        RecordingSocket before = open(client("websocket").authToken(tokens.issue("carol", "free")));
        awaitConnected(before);

        socketServer.stop();
        socketServer.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> before.disconnectReason() != null);
        for (String transport : List.of("websocket", "polling")) {
            RecordingSocket after = open(client(transport).authToken(tokens.issue("carol", "free"))
                    .listen(SocketEvents.DOCUMENT_READY));
            awaitConnected(after);
            userEvents.emit("carol", SocketEvents.DOCUMENT_READY, Map.of("docId", "d-" + transport, "status", "ready"));
            await().atMost(Duration.ofSeconds(10)).until(() -> after.events(SocketEvents.DOCUMENT_READY).size() == 1);
            after.close();
        }
    }

    record Timed(String streamId, String error, Instant at) {
    }

    @Test
    void payloadsKeepNullKeysAndWriteIsoTimestamps() {
        RecordingSocket alice = open(client("websocket").authToken(tokens.issue("alice", "free")).listen("probe"));
        awaitConnected(alice);
        Map<String, Object> map = new HashMap<>();
        map.put("citations", List.of());
        map.put("usage", null);
        map.put("at", Instant.parse("2026-11-23T18:00:00Z"));
        userEvents.emit("alice", "probe", map);
        userEvents.emit("alice", "probe", new Timed("s1", null, Instant.parse("2026-11-23T18:00:01Z")));
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.events("probe").size() == 2);
        @SuppressWarnings("unchecked") Map<String, Object> fromMap = (Map<String, Object>) alice.events("probe").get(0);
        assertThat(fromMap).containsEntry("usage", null);
        assertThat(fromMap.get("at")).isEqualTo("2026-11-23T18:00:00Z");
        assertThat(fromMap.get("citations")).isEqualTo(List.of());
        @SuppressWarnings("unchecked") Map<String, Object> fromRecord = (Map<String, Object>) alice.events("probe").get(1);
        assertThat(fromRecord).containsEntry("error", null);
        assertThat(fromRecord.get("at")).isEqualTo("2026-11-23T18:00:01Z");
    }

    @Test
    void chatStopAcksByOutcome() {
        when(streamCommands.stop("alice", "running-1")).thenReturn(Mono.just(StopResult.STOPPING));
        when(streamCommands.stop("alice", "done-1")).thenReturn(Mono.just(StopResult.ALREADY_FINISHED));
        when(streamCommands.stop("alice", "bobs-1")).thenReturn(Mono.just(StopResult.NOT_FOUND));
        when(streamCommands.stop("alice", "broken-1")).thenReturn(Mono.error(new IllegalStateException("redis down")));
        RecordingSocket alice = open(client("websocket").authToken(tokens.issue("alice", "free")));
        awaitConnected(alice);
        for (String id : List.of("running-1", "done-1", "bobs-1", "broken-1")) {
            alice.emitWithAck(SocketEvents.CHAT_STOP, new JSONObject(Map.of("streamId", id)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.acks(SocketEvents.CHAT_STOP).size() == 4);
        List<Object> acks = alice.acks(SocketEvents.CHAT_STOP);
        assertThat(acks).extracting(ack -> field(ack, "ok")).containsExactly(true, true, false, false);
        assertThat(field(field(acks.get(2), "error"), "code")).isEqualTo("not_found");
        assertThat(field(field(acks.get(3), "error"), "code")).isEqualTo("unavailable");
    }

    @Test
    @SuppressWarnings("unchecked")
    void chatResumeAcksBeforeReplayingToThisSocketOnly() {
        when(streamCommands.resume(eq("alice"), eq("s-run"), eq(2L), any(), any())).thenAnswer(invocation -> {
            Consumer<ResumeStatus> ackFirst = invocation.getArgument(3);
            BiConsumer<String, Object> send = invocation.getArgument(4);
            return Mono.fromCallable(() -> {
                ackFirst.accept(ResumeStatus.RUNNING);
                send.accept(SocketEvents.STREAM_TOKEN, Map.of("sessionId", "x", "streamId", "s-run", "seq", 3, "token", "c"));
                send.accept(SocketEvents.STREAM_TOKEN, Map.of("sessionId", "x", "streamId", "s-run", "seq", 4, "token", "d"));
                return ResumeStatus.RUNNING;
            });
        });
        when(streamCommands.resume(eq("alice"), eq("s-gone"), anyLong(), any(), any())).thenAnswer(invocation -> {
            Consumer<ResumeStatus> ackFirst = invocation.getArgument(3);
            return Mono.fromCallable(() -> {
                ackFirst.accept(ResumeStatus.UNKNOWN);
                return ResumeStatus.UNKNOWN;
            });
        });
        RecordingSocket resuming = open(client("websocket").authToken(tokens.issue("alice", "free")).listen(SocketEvents.STREAM_TOKEN));
        RecordingSocket otherTab = open(client("websocket").authToken(tokens.issue("alice", "free")).listen(SocketEvents.STREAM_TOKEN));
        awaitConnected(resuming);
        awaitConnected(otherTab);

        resuming.emitWithAck(SocketEvents.CHAT_RESUME, new JSONObject(Map.of("streamId", "s-run", "afterSeq", 2)));
        await().atMost(Duration.ofSeconds(10)).until(() -> resuming.events(SocketEvents.STREAM_TOKEN).size() == 2);
        List<RecordingSocket.Entry> ordered = resuming.log.stream()
                .filter(entry -> entry.kind().equals("ack") || entry.kind().equals("event") && SocketEvents.STREAM_TOKEN.equals(entry.name()))
                .toList();
        assertThat(ordered).extracting(RecordingSocket.Entry::kind).containsExactly("ack", "event", "event");
        Object ack = ordered.get(0).data();
        assertThat(field(ack, "ok")).isEqualTo(true);
        assertThat(field(ack, "status")).isEqualTo("running");
        assertThat(ordered).extracting(entry -> entry.kind().equals("event") ? field(entry.data(), "seq") : 0)
                .containsExactly(0, 3, 4);

        resuming.emitWithAck(SocketEvents.CHAT_RESUME, new JSONObject(Map.of("streamId", "s-gone", "afterSeq", 0)));
        await().atMost(Duration.ofSeconds(10)).until(() -> resuming.acks(SocketEvents.CHAT_RESUME).size() == 2);
        Object unknown = resuming.acks(SocketEvents.CHAT_RESUME).get(1);
        assertThat(field(unknown, "ok")).isEqualTo(false);
        assertThat(field(unknown, "status")).isEqualTo("unknown");
        assertThat(field(field(unknown, "error"), "code")).isEqualTo("not_found");

        // The replay went to the resuming socket only; prove the other tab is live and saw none of it.
        userEvents.emit("alice", SocketEvents.STREAM_TOKEN, Map.of("streamId", "marker", "seq", 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> !otherTab.events(SocketEvents.STREAM_TOKEN).isEmpty());
        assertThat(otherTab.events(SocketEvents.STREAM_TOKEN)).hasSize(1);
    }

    @Test
    void malformedCommandsAreAckedAsBadRequests() {
        RecordingSocket alice = open(client("polling").authToken(tokens.issue("alice", "free")));
        awaitConnected(alice);
        alice.emitWithAck(SocketEvents.CHAT_STOP, "not-an-object");
        alice.emitWithAck(SocketEvents.CHAT_STOP, new JSONObject(Map.of("streamId", 42)));
        alice.emitWithAck(SocketEvents.CHAT_RESUME, new JSONObject(Map.of("streamId", "s1", "afterSeq", -1)));
        alice.emitWithAck(SocketEvents.CHAT_RESUME, new JSONObject(Map.of("streamId", "s1", "afterSeq", "two")));
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.acks(SocketEvents.CHAT_STOP).size() == 2
                && alice.acks(SocketEvents.CHAT_RESUME).size() == 2);
        for (String event : List.of(SocketEvents.CHAT_STOP, SocketEvents.CHAT_RESUME)) {
            assertThat(alice.acks(event)).allSatisfy(ack -> {
                assertThat(field(ack, "ok")).isEqualTo(false);
                assertThat(field(field(ack, "error"), "code")).isEqualTo("bad_request");
                assertThat((String) field(field(ack, "error"), "message")).isNotBlank();
            });
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void anOversizedPacketGetsSocketErrorThenDisconnect(String transport) {
        RecordingSocket alice = open(client(transport).authToken(tokens.issue("alice", "free")));
        awaitConnected(alice);
        alice.socket.emit(SocketEvents.CHAT_STOP, new JSONObject(Map.of("streamId", "x".repeat(6000))));
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.disconnectReason() != null);
        assertThat(alice.events(SocketEvents.SOCKET_ERROR)).singleElement()
                .satisfies(data -> assertThat(field(data, "code")).isEqualTo("payload_too_large"));
        assertThat(alice.disconnectReason()).isEqualTo("io server disconnect");
    }

    @ParameterizedTest
    @ValueSource(strings = {"websocket", "polling"})
    void tooManyEventsPerSecondGetSocketErrorThenDisconnect(String transport) {
        when(streamCommands.stop(any(), any())).thenReturn(Mono.just(StopResult.ALREADY_FINISHED));
        RecordingSocket alice = open(client(transport).authToken(tokens.issue("alice", "free")));
        awaitConnected(alice);
        for (int i = 0; i < 40; i++) {
            alice.socket.emit(SocketEvents.CHAT_STOP, new JSONObject(Map.of("streamId", "s" + i)));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> alice.disconnectReason() != null);
        assertThat(alice.events(SocketEvents.SOCKET_ERROR)).singleElement()
                .satisfies(data -> assertThat(field(data, "code")).isEqualTo("rate_limited"));
        assertThat(alice.disconnectReason()).isEqualTo("io server disconnect");
    }

    @Test
    void countsAuthenticatedConnections() {
        // Sockets of earlier tests close asynchronously: start from an empty server.
        await().atMost(Duration.ofSeconds(20)).until(() -> namespace.getAllClients().isEmpty());
        assertThat(meters.get("gateway.socket.connections").gauge().value()).isZero();
        RecordingSocket alice = open(client("websocket").authToken(tokens.issue("alice", "free")));
        RecordingSocket refused = open(client("websocket"));
        awaitConnected(alice);
        awaitRefused(refused);
        assertThat(meters.get("gateway.socket.connections").gauge().value()).isEqualTo(1.0);
        alice.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.get("gateway.socket.connections").gauge().value() == 0.0);
    }

    private static JSONObject jsonObject(String json) {
        try {
            return new JSONObject(json);
        } catch (org.json.JSONException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object field(Object map, String key) {
        assertThat(map).isInstanceOf(Map.class);
        return ((Map<?, ?>) map).get(key);
    }

    private Set<String> roomsOf(RecordingSocket socket) {
        String sid = socket.socket.id();
        // The namespace's own room ("") is netty-socketio's broadcast bookkeeping, not an application room.
        return namespace.getAllClients().stream()
                .filter(client -> client.getSessionId().toString().equals(sid))
                .findFirst()
                .map(SocketIOClient::getAllRooms)
                .map(rooms -> rooms.stream().filter(room -> !room.isEmpty()).collect(java.util.stream.Collectors.toSet()))
                .orElseThrow();
    }
}
