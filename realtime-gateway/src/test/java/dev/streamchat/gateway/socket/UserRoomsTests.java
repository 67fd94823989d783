package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.util.ArrayDeque;
import java.util.Queue;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.protocol.Packet;
import com.corundumstudio.socketio.protocol.PacketType;
import com.corundumstudio.socketio.transport.NamespaceClient;

class UserRoomsTests {

    private static NamespaceClient client(Transport transport, boolean writable, int queuedPolling) {
        ClientHead head = mock(ClientHead.class);
        when(head.getCurrentTransport()).thenReturn(transport);
        when(head.isWritable()).thenReturn(writable);
        Queue<Packet> queue = new ArrayDeque<>();
        for (int i = 0; i < queuedPolling; i++) {
            queue.add(new Packet(PacketType.MESSAGE));
        }
        when(head.getPacketsQueue(Transport.POLLING)).thenReturn(queue);
        NamespaceClient client = mock(NamespaceClient.class);
        when(client.getBaseClient()).thenReturn(head);
        return client;
    }

    @Test
    void skipsAWebSocketAboveItsWriteBufferHighWaterMark() {
        assertThat(UserRooms.canTake(client(Transport.WEBSOCKET, true, 0))).isTrue();
        assertThat(UserRooms.canTake(client(Transport.WEBSOCKET, false, 0))).isFalse();
    }

    @Test
    void skipsAPollingSocketThatStoppedFetching() {
        assertThat(UserRooms.canTake(client(Transport.POLLING, false, 10))).isTrue();
        assertThat(UserRooms.canTake(client(Transport.POLLING, false, UserRooms.MAX_QUEUED_POLLING_PACKETS))).isFalse();
    }
}
