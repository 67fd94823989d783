package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.springframework.beans.factory.support.DefaultListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOClient;

import dev.streamchat.gateway.auth.AuthenticatedUser;

class ChatSocketHandlerTests {

    private static SocketProperties defaults() {
        return new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("gateway.socket", SocketProperties.class);
    }

    private final ChatSocketHandler withoutStreams = new ChatSocketHandler(
            new DefaultListableBeanFactory().getBeanProvider(StreamCommands.class), new ResumeGates(), defaults());

    @SuppressWarnings("unchecked")
    private static Map<String, Object> ackOf(Runnable call, AckRequest ack) {
        call.run();
        ArgumentCaptor<Object> captor = ArgumentCaptor.forClass(Object.class);
        verify(ack).sendAckData(captor.capture());
        return (Map<String, Object>) captor.getValue();
    }

    private static AckRequest ackRequest() {
        AckRequest ack = mock(AckRequest.class);
        when(ack.isAckRequested()).thenReturn(true);
        return ack;
    }

    @Test
    void answersUnavailableWhileNoStreamCommandsExist() {
        SocketIOClient client = mock(SocketIOClient.class);
        when(client.get(AuthenticatedUser.SOCKET_KEY)).thenReturn(new AuthenticatedUser("alice", "free"));
        AckRequest stop = ackRequest();
        assertThat(ackOf(() -> withoutStreams.onStop(client, Map.of("streamId", "s1"), stop), stop))
                .containsEntry("ok", false)
                .extractingByKey("error").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("code", "unavailable");
        AckRequest resume = ackRequest();
        assertThat(ackOf(() -> withoutStreams.onResume(client, Map.of("streamId", "s1", "afterSeq", 0), resume), resume))
                .containsEntry("ok", false);
    }

    @Test
    void refusesCommandsFromAnUnauthenticatedSocket() {
        SocketIOClient client = mock(SocketIOClient.class);
        AckRequest stop = ackRequest();
        assertThat(ackOf(() -> withoutStreams.onStop(client, Map.of("streamId", "s1"), stop), stop))
                .extractingByKey("error").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("code", "unauthorized");
    }

    @Test
    void readsStreamIdsAndSequenceNumbersStrictly() {
        assertThat(ChatSocketHandler.streamId(Map.of("streamId", " s1 "))).isEqualTo("s1");
        assertThat(ChatSocketHandler.streamId(Map.of("streamId", ""))).isNull();
        assertThat(ChatSocketHandler.streamId(Map.of("streamId", "x".repeat(257)))).isNull();
        assertThat(ChatSocketHandler.streamId("s1")).isNull();
        assertThat(ChatSocketHandler.afterSeq(Map.of("afterSeq", 7))).isEqualTo(7L);
        assertThat(ChatSocketHandler.afterSeq(Map.of("afterSeq", 7.0))).isEqualTo(7L);
        assertThat(ChatSocketHandler.afterSeq(Map.of())).isEqualTo(0L);
        Map<String, Object> nullSeq = new HashMap<>();
        nullSeq.put("afterSeq", null);
        assertThat(ChatSocketHandler.afterSeq(nullSeq)).isEqualTo(0L);
        assertThat(ChatSocketHandler.afterSeq(Map.of("afterSeq", -1))).isNull();
        assertThat(ChatSocketHandler.afterSeq(Map.of("afterSeq", 1.5))).isNull();
        assertThat(ChatSocketHandler.afterSeq(Map.of("afterSeq", "3"))).isNull();
        assertThat(ChatSocketHandler.afterSeq(List.of())).isNull();
    }

    /** An authenticated socket whose store works like netty-socketio's. */
    private static SocketIOClient signedIn(String userId) {
        SocketIOClient client = mock(SocketIOClient.class);
        Map<String, Object> store = new HashMap<>();
        store.put(AuthenticatedUser.SOCKET_KEY, new AuthenticatedUser(userId, "free"));
        when(client.getSessionId()).thenReturn(java.util.UUID.randomUUID());
        when(client.get(org.mockito.ArgumentMatchers.anyString())).thenAnswer(call -> store.get(call.<String>getArgument(0)));
        org.mockito.Mockito.doAnswer(call -> store.put(call.getArgument(0), call.getArgument(1)))
                .when(client).set(org.mockito.ArgumentMatchers.anyString(), org.mockito.ArgumentMatchers.any());
        return client;
    }

    private static ChatSocketHandler handler(StreamCommands streams, Map<String, Object> settings) {
        SocketProperties properties = new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("gateway.socket", SocketProperties.class);
        DefaultListableBeanFactory beans = new DefaultListableBeanFactory();
        beans.registerSingleton("streams", streams);
        return new ChatSocketHandler(beans.getBeanProvider(StreamCommands.class), new ResumeGates(), properties);
    }

    @Test
    void aSecondResumeOfTheSameStreamWhileOneReplaysIsRefusedNotQueued() {
        StreamCommands streams = mock(StreamCommands.class);
        // The first replay never finishes (a long log being read).
        when(streams.resume(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any(),
                org.mockito.ArgumentMatchers.anyLong(), org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any()))
                .thenReturn(reactor.core.publisher.Mono.never());
        ChatSocketHandler handler = handler(streams, Map.of());
        SocketIOClient client = signedIn("alice");
        handler.onResume(client, Map.of("streamId", "s1", "afterSeq", 0), ackRequest());
        AckRequest second = ackRequest();
        assertThat(ackOf(() -> handler.onResume(client, Map.of("streamId", "s1", "afterSeq", 0), second), second))
                .containsEntry("ok", false)
                .extractingByKey("error").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("code", "rate_limited");
        verify(streams, org.mockito.Mockito.times(1)).resume(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any(),
                org.mockito.ArgumentMatchers.anyLong(), org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any());
        // Another stream, or another socket, is not held up by it.
        handler.onResume(client, Map.of("streamId", "s2", "afterSeq", 0), ackRequest());
        handler.onResume(signedIn("alice"), Map.of("streamId", "s1", "afterSeq", 0), ackRequest());
        verify(streams, org.mockito.Mockito.times(3)).resume(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any(),
                org.mockito.ArgumentMatchers.anyLong(), org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any());
    }

    @Test
    void resumesAreRateLimitedPerSocket() {
        StreamCommands streams = mock(StreamCommands.class);
        when(streams.resume(org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any(),
                org.mockito.ArgumentMatchers.anyLong(), org.mockito.ArgumentMatchers.any(), org.mockito.ArgumentMatchers.any()))
                .thenReturn(reactor.core.publisher.Mono.just(StreamCommands.ResumeStatus.COMPLETE));
        ChatSocketHandler handler = handler(streams, Map.of("gateway.socket.max-resumes-per-minute", "5"));
        SocketIOClient client = signedIn("alice");
        for (int i = 0; i < 5; i++) {
            AckRequest ack = ackRequest();
            assertThat(ackOf(() -> handler.onResume(client, Map.of("streamId", "s1", "afterSeq", 0), ack), ack)).containsEntry("ok", true);
        }
        AckRequest over = ackRequest();
        assertThat(ackOf(() -> handler.onResume(client, Map.of("streamId", "s1", "afterSeq", 0), over), over))
                .containsEntry("ok", false)
                .extractingByKey("error").asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("code", "rate_limited");
        AckRequest otherSocket = ackRequest();
        assertThat(ackOf(() -> handler.onResume(signedIn("alice"), Map.of("streamId", "s1", "afterSeq", 0), otherSocket), otherSocket))
                .containsEntry("ok", true);
    }
}
