package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import dev.streamchat.gateway.auth.JwtTokens;
import dev.streamchat.gateway.auth.RevokedTokens;
import dev.streamchat.gateway.auth.VerifiedToken;
import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.NonBlockingCheckedTest;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;

/**
 * A user's sockets are bounded and end with the user's credentials: the per-user socket cap, disconnect at the
 * token's expiry, and logout ending the sockets of the token it revokes (and refusing that token from then on).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + TestBackends.AI_KEY,
        "gateway.socket.max-per-user=3",
        "gateway.socket.max-unauthenticated=6",
        "gateway.socket.auth-timeout=60s",
        "gateway.socket.ping-interval=1000ms",
        "gateway.socket.ping-timeout=5000ms",
})
class SocketSessionLimitsIT extends NonBlockingCheckedTest {

    static final int SOCKET_PORT = TestBackends.freePort();
    static final Duration WAIT = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void backends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, SOCKET_PORT);
    }

    @LocalServerPort
    int port;

    @Autowired
    JwtTokens tokens;

    @Autowired
    GatewayRedis redis;

    @Autowired
    io.micrometer.core.instrument.MeterRegistry meters;

    @Autowired
    com.corundumstudio.socketio.SocketIOServer socketServer;

    WebTestClient http;

    private final List<RecordingSocket> sockets = new ArrayList<>();

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://localhost:" + port).responseTimeout(WAIT).build();
    }

    @AfterEach
    void closeSockets() {
        sockets.forEach(RecordingSocket::close);
    }

    private RecordingSocket open(String token) {
        RecordingSocket socket = RecordingSocket.to(SOCKET_PORT).authToken(token).connect();
        sockets.add(socket);
        return socket;
    }

    private static void awaitConnected(RecordingSocket socket) {
        await().atMost(WAIT).until(() -> socket.connected() || socket.connectError() != null);
        assertThat(socket.connectError()).isNull();
    }

    private static void awaitSignedOut(RecordingSocket socket) {
        await().atMost(WAIT).until(() -> socket.disconnectReason() != null);
        assertThat(socket.disconnectReason()).isEqualTo("io server disconnect");
        assertThat(socket.events(SocketEvents.SOCKET_ERROR)).singleElement()
                .satisfies(data -> assertThat(((Map<?, ?>) data).get("code")).isEqualTo("unauthorized"));
    }

    @Test
    void aUserHoldsAtMostTheCappedNumberOfSocketsAndTheOverCapConnectIsToldWhy() {
        List<RecordingSocket> within = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            within.add(open(tokens.issue("capped", "free")));
        }
        within.forEach(SocketSessionLimitsIT::awaitConnected);

        RecordingSocket over = open(tokens.issue("capped", "free"));
        await().atMost(WAIT).until(() -> over.connectError() != null);
        assertThat(over.connectError()).isEqualTo("too_many_sockets");
        assertThat(over.connected()).isFalse();

        RecordingSocket otherUser = open(tokens.issue("not-capped", "free"));
        awaitConnected(otherUser);

        within.get(0).close();
        await().atMost(WAIT).untilAsserted(() -> {
            RecordingSocket again = open(tokens.issue("capped", "free"));
            await().atMost(WAIT).until(() -> again.connected() || again.connectError() != null);
            assertThat(again.connected()).isTrue();
        });
    }

    @Test
    void sessionsThatHaveNotAuthenticatedYetAreBoundedAndAuthenticationFreesAPlace() throws Exception {
        await().atMost(WAIT).until(() -> unauthenticatedSessions() == 0);
        List<RawEngineIo.Ws> pending = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                pending.add(RawEngineIo.Ws.open(SOCKET_PORT));
            }
            await().atMost(WAIT).until(() -> unauthenticatedSessions() == 6);

            // One more is closed at once, long before the 60 s authentication timeout would close it.
            RawEngineIo.Ws over = openOrNullIfRefused();
            if (over != null) {
                pending.add(over);
                java.util.UUID sid = over.sid();
                // The session ends at once; netty-socketio may leave the WebSocket itself open a little longer.
                await().atMost(WAIT).until(() -> over.isClosed() || socketServer.getClient(sid) == null);
            }
            assertThat(pending.subList(0, 6)).noneMatch(RawEngineIo.Ws::isClosed);
            assertThat(unauthenticatedSessions()).isEqualTo(6);

            // Authenticating frees a place: a new session can open and sign in.
            pending.get(0).text("40{\"token\":\"" + tokens.issue("pending-user", "free") + "\"}");
            await().atMost(WAIT).until(() -> pending.get(0).hasReceived("40{"));
            await().atMost(WAIT).until(() -> unauthenticatedSessions() == 5);
            pending.add(RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("pending-user-2", "free")));
        } finally {
            pending.forEach(RawEngineIo.Ws::close);
        }
    }

    private static RawEngineIo.Ws openOrNullIfRefused() {
        try {
            return RawEngineIo.Ws.open(SOCKET_PORT);
        } catch (Exception refusedBeforeTheOpenPacket) {
            return null;
        }
    }

    private double unauthenticatedSessions() {
        return meters.get("gateway.socket.unauthenticated").gauge().value();
    }

    @Test
    void aSocketIsSignedOutWhenItsTokenExpires() {
        String shortLived = new JwtTokens(TestBackends.JWT_SECRET, Duration.ofSeconds(3), Clock.systemUTC()).issue("expiring", "free");
        RecordingSocket socket = open(shortLived);
        awaitConnected(socket);
        RecordingSocket longLived = open(tokens.issue("expiring", "pro"));
        awaitConnected(longLived);

        awaitSignedOut(socket);
        assertThat(longLived.connected()).isTrue();
        assertThat(longLived.disconnectReason()).isNull();
    }

    @Test
    void logoutEndsTheSocketsOfItsTokenAndRevokesTheTokenUntilItExpires() {
        String loggedOut = tokens.issue("leaver", "free");
        String other = tokens.issue("leaver", "pro");
        RecordingSocket first = open(loggedOut);
        RecordingSocket second = open(loggedOut);
        RecordingSocket otherTab = open(other);
        List.of(first, second, otherTab).forEach(SocketSessionLimitsIT::awaitConnected);

        http.post().uri("/api/v1/auth/logout").header(HttpHeaders.AUTHORIZATION, "Bearer " + loggedOut)
                .exchange().expectStatus().isNoContent();

        awaitSignedOut(first);
        awaitSignedOut(second);
        assertThat(otherTab.connected()).isTrue();

        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + loggedOut)
                .exchange().expectStatus().isUnauthorized();
        // Past the auth filter (what the user store answers under load is not the point here).
        http.get().uri("/api/v1/auth/me").header(HttpHeaders.AUTHORIZATION, "Bearer " + other)
                .exchange().expectStatus().value(status -> assertThat(status).isNotEqualTo(401));

        RecordingSocket reuse = open(loggedOut);
        await().atMost(WAIT).until(() -> reuse.connectError() != null);
        assertThat(reuse.connectError()).isEqualTo("unauthorized");

        // Another node knows only what Redis says: its own (empty) memory must not let the token through.
        RevokedTokens anotherNode = new RevokedTokens(redis);
        String hash = VerifiedToken.hash(loggedOut);
        assertThat(anotherNode.isRevokedLocally(hash)).isFalse();
        assertThat(anotherNode.isRevoked(hash).block(WAIT)).isTrue();
        assertThat(anotherNode.isRevoked(VerifiedToken.hash(other)).block(WAIT)).isFalse();
    }
}
