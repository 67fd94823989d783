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
}
