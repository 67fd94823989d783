package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.SocketIOClient;

class ResumeGatesTests {

    private final ResumeGates gates = new ResumeGates();

    /** A socket that records what it is sent, as "event:seq" (or "event" without a seq). */
    private static SocketIOClient socket(List<String> sent) {
        SocketIOClient client = mock(SocketIOClient.class);
        when(client.getSessionId()).thenReturn(UUID.randomUUID());
        doAnswer(call -> {
            Object[] args = call.getArguments();
            StreamPayload payload = (StreamPayload) args[1];
            sent.add(payload.seq() > 0 ? args[0] + ":" + payload.seq() : (String) args[0]);
            return null;
        }).when(client).sendEvent(anyString(), any(Object[].class));
        return client;
    }

    private static EncodedPayload token(String streamId, long seq) {
        return new EncodedPayload(streamId, seq,
                ("{\"streamId\":\"" + streamId + "\",\"seq\":" + seq + ",\"token\":\"t" + seq + "\"}").getBytes(StandardCharsets.UTF_8));
    }

    private static StreamPayload complete(String streamId) {
        return () -> streamId;
    }

    /** What UserRooms does for one socket. */
    private void live(SocketIOClient client, String event, Object payload) {
        if (!gates.hold(client, event, payload)) {
            client.sendEvent(event, payload);
        }
    }

    @Test
    void replayedEventsComeBeforeLiveOnesAndLiveDuplicatesAreDropped() {
        List<String> sent = new ArrayList<>();
        SocketIOClient client = socket(sent);
        ResumeGates.Gate gate = gates.open(client, "s1");

        live(client, SocketEvents.STREAM_TOKEN, token("s1", 5));
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 3));
        live(client, SocketEvents.STREAM_TOKEN, token("s1", 6));
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 4));
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 5));
        live(client, SocketEvents.STREAM_COMPLETE, complete("s1"));
        gate.release();
        live(client, "document-ready", complete("s1"));

        assertThat(sent).containsExactly("chat-stream-token:3", "chat-stream-token:4", "chat-stream-token:5",
                "chat-stream-token:6", "chat-stream-complete", "document-ready");
    }

    @Test
    void aFinalEventTheReplayAlreadySentIsNotSentAgain() {
        List<String> sent = new ArrayList<>();
        SocketIOClient client = socket(sent);
        ResumeGates.Gate gate = gates.open(client, "s1");

        live(client, SocketEvents.STREAM_COMPLETE, complete("s1"));
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 1));
        gate.sendReplayed(SocketEvents.STREAM_COMPLETE, complete("s1"));
        gate.release();

        assertThat(sent).containsExactly("chat-stream-token:1", "chat-stream-complete");
    }

    @Test
    void otherSocketsAndOtherStreamsAreNotHeld() {
        List<String> resuming = new ArrayList<>();
        List<String> otherTab = new ArrayList<>();
        SocketIOClient client = socket(resuming);
        SocketIOClient other = socket(otherTab);
        gates.open(client, "s1");

        live(other, SocketEvents.STREAM_TOKEN, token("s1", 7));
        live(client, SocketEvents.STREAM_TOKEN, token("s2", 1));

        assertThat(otherTab).containsExactly("chat-stream-token:7");
        assertThat(resuming).containsExactly("chat-stream-token:1");
    }

    @Test
    void aReplayToASocketThatStoppedReadingIsSkippedLikeLiveEvents() {
        List<String> sent = new ArrayList<>();
        com.corundumstudio.socketio.transport.NamespaceClient client =
                mock(com.corundumstudio.socketio.transport.NamespaceClient.class);
        com.corundumstudio.socketio.handler.ClientHead head = mock(com.corundumstudio.socketio.handler.ClientHead.class);
        when(client.getBaseClient()).thenReturn(head);
        when(head.getCurrentTransport()).thenReturn(com.corundumstudio.socketio.Transport.WEBSOCKET);
        when(head.isWritable()).thenReturn(true);
        when(client.getSessionId()).thenReturn(UUID.randomUUID());
        doAnswer(call -> sent.add(call.getArgument(0) + ":" + ((EncodedPayload) call.getArgument(1)).seq()))
                .when(client).sendEvent(anyString(), any(Object[].class));
        ResumeGates.Gate gate = gates.open(client, "s1");

        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 1));
        when(head.isWritable()).thenReturn(false);
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 2));
        gate.sendReplayed(SocketEvents.STREAM_TOKEN, token("s1", 3));
        live(client, SocketEvents.STREAM_TOKEN, token("s1", 4));
        gate.release();

        assertThat(sent).containsExactly("chat-stream-token:1");
    }

    @Test
    void onlyOneReplayPerStreamAndSocketAtATime() {
        SocketIOClient client = socket(new ArrayList<>());
        ResumeGates.Gate first = gates.open(client, "s1");
        assertThat(first).isNotNull();
        assertThat(gates.open(client, "s1")).isNull();
        assertThat(gates.open(client, "s2")).isNotNull();
        first.release();
        assertThat(gates.open(client, "s1")).isNotNull();
    }
}
