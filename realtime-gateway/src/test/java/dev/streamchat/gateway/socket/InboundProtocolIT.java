package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mockingDetails;
import static org.mockito.Mockito.when;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.streamchat.gateway.socket.StreamCommands.StopResult;
import reactor.core.publisher.Mono;

/**
 * The socket inbound path against raw Engine.IO clients (no socket.io library): only the v4 text protocol is
 * accepted, every decoded packet counts against the per-second cap, and nothing an attacker sends throws into Netty.
 */
class InboundProtocolIT extends InboundSocketTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    /** Polling loops: one long-poll stays above the 1 s ping interval, the whole loop has room for a loaded machine. */
    static final Duration ONE_POLL = Duration.ofSeconds(3);
    static final Duration POLLING_DEADLINE = Duration.ofSeconds(30);
    static final String STOP = "42[\"chat-stop\",{\"streamId\":\"s1\"}]";

    @BeforeEach
    void stopsAnswer() {
        when(streamCommands.stop(any(), any())).thenReturn(Mono.just(StopResult.ALREADY_FINISHED));
    }

    long stops() {
        return mockingDetails(streamCommands).getInvocations().stream()
                .filter(invocation -> invocation.getMethod().getName().equals("stop")).count();
    }

    double exceptionsIntoNetty() {
        var counter = meters.find("gateway.socket.errors").counter();
        return counter == null ? -1 : counter.count();
    }

    /** Engine.IO v3 binary payload framing: 0x00, the length as digit bytes, 0xFF, the packet. */
    static byte[] v3Framed(String... packets) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String packet : packets) {
            byte[] bytes = packet.getBytes(StandardCharsets.UTF_8);
            out.write(0x00);
            for (char digit : Integer.toString(bytes.length).toCharArray()) {
                out.write(digit - '0');
            }
            out.write(0xFF);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    static String[] repeat(String packet, int times) {
        String[] packets = new String[times];
        java.util.Arrays.fill(packets, packet);
        return packets;
    }

    /** The socket-error, then the server's disconnect ({@code 41}, "io server disconnect"), then the session is gone. */
    void awaitSocketErrorThenClose(RawEngineIo.Ws ws, String code) {
        await().atMost(WAIT).until(() -> ws.hasReceived("41") || ws.isClosed());
        List<String> received = List.copyOf(ws.received);
        int error = -1;
        for (int i = 0; i < received.size(); i++) {
            if (received.get(i).startsWith("42[\"socket-error\",{\"code\":\"" + code + "\"")) {
                error = i;
            }
        }
        assertThat(error).as("socket-error " + code + " in " + received).isNotNegative();
        awaitSessionGone(ws);
    }

    void awaitSessionGone(RawEngineIo.Ws ws) {
        java.util.UUID sid = ws.sid();
        await().atMost(WAIT).until(() -> namespace.getClient(sid) == null);
    }

    @Test
    void oldBinaryFramingOverWebSocketIsRefusedAndCarriesNoEvents() throws Exception {
        double before = exceptionsIntoNetty();
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("framing-ws", "free"))) {
            ws.tryBinary(v3Framed(repeat(STOP, 30)));
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(stops()).isZero();
        assertThat(exceptionsIntoNetty()).isEqualTo(before);
    }

    @Test
    void lengthPrefixedTextFramingIsRefusedAndCarriesNoEvents() throws Exception {
        String framed = String.join("", java.util.Collections.nCopies(30, STOP.length() + ":" + STOP));
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("framing-text", "free"))) {
            ws.tryText(framed);
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(stops()).isZero();
    }

    @Test
    void severalPacketsInOneWebSocketFrameAreRefused() throws Exception {
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("multi-ws", "free"))) {
            ws.tryText(String.join("\u001e", repeat(STOP, 5)));
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(stops()).isZero();
    }

    @Test
    void binaryWebSocketFramesAreRefused() throws Exception {
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("binary-ws", "free"))) {
            ws.tryBinary(STOP.getBytes(StandardCharsets.UTF_8));
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(stops()).isZero();
    }

    @Test
    void binaryAttachmentsAreRefusedAndNothingIsHeldForThem() throws Exception {
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("attach-ws", "free"))) {
            ws.tryText("451-[\"chat-stop\",{\"_placeholder\":true,\"num\":0}]");
            for (int i = 0; i < 20 && !ws.isClosed(); i++) {
                ws.tryText("x".repeat(3000));
            }
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(stops()).isZero();
    }

    @Test
    void aConnectInOldFramingIsNotAcceptedWithoutCredentials() throws Exception {
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.open(SOCKET_PORT)) {
            ws.tryBinary(new byte[] {0x00, 0x02, (byte) 0xFF, '4', '0'});
            awaitSessionGone(ws);
            assertThat(ws.received).noneMatch(packet -> packet.startsWith("40"));
        }
        RawEngineIo.Polling polling = RawEngineIo.Polling.open(SOCKET_PORT);
        polling.post(new byte[] {0x00, 0x02, (byte) 0xFF, '4', '0'});
        assertThat(drain(polling)).noneMatch(packet -> packet.startsWith("40"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"v3", "length-prefixed", "binary-frame"})
    void oldFramingOverPollingIsRefusedAndCarriesNoEvents(String framing) throws Exception {
        RawEngineIo.Polling polling = authenticatedPolling("polling-" + framing);
        byte[] body = switch (framing) {
            case "v3" -> v3Framed(repeat(STOP, 30));
            case "length-prefixed" -> String.join("", java.util.Collections.nCopies(30, STOP.length() + ":" + STOP))
                    .getBytes(StandardCharsets.UTF_8);
            default -> ("b" + java.util.Base64.getEncoder().encodeToString(STOP.getBytes(StandardCharsets.UTF_8)))
                    .getBytes(StandardCharsets.UTF_8);
        };
        assertThat(polling.post(body)).isEqualTo(200);
        List<String> seen = drain(polling);
        assertThat(seen).anySatisfy(packet -> assertThat(packet).startsWith("42[\"socket-error\",{\"code\":\"bad_request\""));
        assertThat(stops()).isZero();
    }

    @Test
    void everyPacketOfAPollingPayloadCountsAgainstTheCap() throws Exception {
        RawEngineIo.Polling polling = authenticatedPolling("polling-many");
        assertThat(polling.post(String.join("\u001e", repeat(STOP, 30)))).isEqualTo(200);
        List<String> seen = drain(polling);
        assertThat(seen).anySatisfy(packet -> assertThat(packet).startsWith("42[\"socket-error\",{\"code\":\"rate_limited\""));
        assertThat(stops()).isLessThanOrEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "42[1]", "42[]", "42{}", "42\"chat-stop\"", "42[\"chat-stop\"", "4", "4x", "44{\"message\":\"x\"}",
            "4299999999999999999999[\"chat-stop\",{}]", "42/x,9999999999999999999999[\"a\"]", "42abc[\"chat-stop\",{}]",
            "40{\"a\":1,\"b\":\"[\"}", "40/chat,{\"token\":\"[\"}", "43[\"x\"]", "431[\"x\"]", "47", "9", "\u001e42[\"a\"]",
            "42[\"chat-stop\",[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    })
    void malformedPacketsGetBadRequestAndNeverThrowIntoNetty(String packet) throws Exception {
        double before = exceptionsIntoNetty();
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("malformed", "free"))) {
            ws.tryText(packet);
            awaitSocketErrorThenClose(ws, "bad_request");
        }
        assertThat(exceptionsIntoNetty()).isEqualTo(before);
        assertThat(stops()).isZero();
    }

    /**
     * An Engine.IO upgrade packet ({@code 5}) is sent over the WebSocket it upgrades to. Over polling, netty-socketio
     * 2.0.14 writes the queue to the polling channel, which between two polls is null: a NullPointerException into
     * netty. The fuzz test found it (one packet in a few hundred, when the per-second cap let it through).
     */
    @Test
    void anUpgradePacketOverPollingIsRefusedAndNeverThrowsIntoNetty() throws Exception {
        double before = exceptionsIntoNetty();
        RawEngineIo.Polling polling = authenticatedPolling("polling-upgrade");
        assertThat(polling.post("5")).isEqualTo(200);
        assertThat(drain(polling)).anySatisfy(packet ->
                assertThat(packet).startsWith("42[\"socket-error\",{\"code\":\"bad_request\""));
        RawEngineIo.Polling anonymous = RawEngineIo.Polling.open(SOCKET_PORT);
        anonymous.post("5");
        assertThat(drain(anonymous)).noneMatch(packet -> packet.startsWith("40"));
        assertThat(exceptionsIntoNetty()).isEqualTo(before);
    }

    @Test
    void garbageBeforeAuthenticationClosesTheSessionWithoutAcceptingIt() throws Exception {
        for (String packet : new String[] {STOP, "42[1]", "4", "45-[\"a\"]", "43[\"x\"]"}) {
            try (RawEngineIo.Ws ws = RawEngineIo.Ws.open(SOCKET_PORT)) {
                ws.tryText(packet);
                awaitSessionGone(ws);
                assertThat(ws.received).as(packet).noneMatch(received -> received.startsWith("40"));
            }
        }
        assertThat(stops()).isZero();
    }

    @Test
    void aSecondConnectOnAnAuthenticatedSocketIsRefused() throws Exception {
        try (RawEngineIo.Ws ws = RawEngineIo.Ws.authenticated(SOCKET_PORT, tokens.issue("twice", "free"))) {
            ws.tryText("40{\"token\":\"" + tokens.issue("twice", "free") + "\"}");
            awaitSocketErrorThenClose(ws, "bad_request");
        }
    }

    /**
     * netty-socketio closes the connection after every polling answer: the answer must say so. One that said
     * keep-alive had a client send its next request into the closing connection, and a POST sent there (the CONNECT of
     * a new session, an event) was lost without an answer.
     */
    @Test
    void everyPollingAnswerSaysTheConnectionCloses() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        String url = "http://127.0.0.1:" + SOCKET_PORT + "/socket.io/?EIO=4&transport=polling";
        var handshake = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).timeout(WAIT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        String session = url + "&sid=" + RawEngineIo.sidOf(handshake.body());
        var connect = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(session)).timeout(WAIT)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "40{\"token\":\"" + tokens.issue("keep-alive", "free") + "\"}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        var poll = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(session)).timeout(WAIT).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        var refused = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url + "&sid=not-a-uuid"))
                .timeout(WAIT).build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(List.of(handshake, connect, poll, refused)).allSatisfy(response ->
                assertThat(response.headers().firstValue("connection")).as(response.toString()).hasValue("close"));
        assertThat(connect.body()).isEqualTo("ok");
        assertThat(poll.body()).contains("40{\"sid\":");
        assertThat(refused.statusCode()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "GET ?EIO=4&transport=polling&sid=not-a-uuid", "GET ?EIO=4&transport=polling&j=abc",
            "GET ?EIO=4&transport=polling&b64=abc", "GET ?EIO=4&transport=polling&disconnect=1&sid=0b6e4bbc-1b43-4b89-a1f4-96e2e35a5a5b",
            "GET ?EIO=4&transport=polling&transport=websocket", "GET ?EIO=4&transport=carrier-pigeon",
            "POST ?EIO=4&transport=polling", "DELETE ?EIO=4&transport=polling",
            "GET ?EIO=4&transport=polling&sid=0b6e4bbc-1b43-4b89-a1f4-96e2e35a5a5b&sid=1b6e4bbc-1b43-4b89-a1f4-96e2e35a5a5b",
    })
    void malformedEngineIoRequestsGet400AndNeverThrowIntoNetty(String request) throws Exception {
        double before = exceptionsIntoNetty();
        String[] parts = request.split(" ", 2);
        java.net.http.HttpResponse<String> response = RawEngineIo.HTTP.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + SOCKET_PORT + "/socket.io/" + parts[1]))
                .timeout(WAIT).method(parts[0], java.net.http.HttpRequest.BodyPublishers.ofString("40")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(exceptionsIntoNetty()).isEqualTo(before);
    }

    /** A polling session signed in as {@code userId}: its CONNECT answered with {@code 40{sid}}. */
    private RawEngineIo.Polling authenticatedPolling(String userId) throws Exception {
        RawEngineIo.Polling polling = RawEngineIo.Polling.open(SOCKET_PORT);
        assertThat(polling.post("40{\"token\":\"" + tokens.issue(userId, "free") + "\"}")).as("CONNECT posted").isEqualTo(200);
        List<String> seen = new ArrayList<>();
        await().atMost(POLLING_DEADLINE).until(() -> {
            List<String> packets = polling.poll(ONE_POLL);
            if (packets == null) {
                return true;
            }
            seen.addAll(packets);
            return seen.stream().anyMatch(packet -> packet.startsWith("40{"));
        });
        assertThat(seen).as("polling CONNECT accepted").anyMatch(packet -> packet.startsWith("40{"));
        return polling;
    }

    /** Polls until the server ends the session (or the deadline), collecting every packet. */
    private static List<String> drain(RawEngineIo.Polling polling) {
        List<String> seen = new ArrayList<>();
        await().atMost(POLLING_DEADLINE).until(() -> {
            List<String> packets = polling.poll(ONE_POLL);
            if (packets == null) {
                return true;
            }
            seen.addAll(packets);
            return seen.stream().anyMatch(packet -> packet.startsWith("41") || packet.equals("1"));
        });
        return seen;
    }
}
