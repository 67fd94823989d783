package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.scheduler.Schedulers;

/**
 * The hold between the CONNECT's authentication and its reply (the full path, through netty-socketio and a real
 * client, is {@code StreamFanoutIT}): what an accepted socket was sent meanwhile follows the reply in order, a refused
 * one gets nothing, and the hold is bounded. A drop decided meanwhile ({@link SocketDrops#dropAfterConnect}, the
 * cluster-wide socket cap) follows the reply and what was held; its full path is {@code ClusterSocketsIT}.
 */
class ConnectingSocketsTests {

    private final ConnectingSockets sockets = new ConnectingSockets();
    private final List<String> sent = new ArrayList<>();
    private final UUID sessionId = UUID.randomUUID();
    private final SocketIOClient client = mock(SocketIOClient.class);
    private final ClientHead head = mock(ClientHead.class);
    private final ChannelHandlerContext ctx = mock(ChannelHandlerContext.class);
    private final SocketDrops drops = new SocketDrops(Schedulers.immediate(), sockets);

    ConnectingSocketsTests() {
        when(client.getSessionId()).thenReturn(sessionId);
        when(head.getSessionId()).thenReturn(sessionId);
        doAnswer(call -> sent.add((String) call.getArgument(0))).when(client).sendEvent(anyString(), any(Object[].class));
    }

    /** What UserRooms does for one socket. */
    private void emit(String event) {
        if (!sockets.hold(client, event, event)) {
            client.sendEvent(event, event);
        }
    }

    /** The inbound message that carried the CONNECT comes back from the packet handler. */
    private void connectHandled() throws Exception {
        sockets.channelRead(ctx, new PacketsMessage(head, Unpooled.EMPTY_BUFFER, Transport.WEBSOCKET));
    }

    @Test
    void anAcceptedSocketGetsWhatWasHeldAfterItsConnectReplyThenLiveEvents() throws Exception {
        emit("before-connect");
        sockets.getAuthTokenResult(null, client);
        when(client.get(AuthenticatedUser.SOCKET_KEY)).thenReturn(new AuthenticatedUser("u1", "free"));
        emit("e1");
        emit("e2");
        assertThat(sent).containsExactly("before-connect");

        connectHandled();
        emit("e3");

        assertThat(sent).containsExactly("before-connect", "e1", "e2", "e3");
        assertThat(sockets.connecting()).isZero();
    }

    @Test
    void aRefusedSocketGetsNothingOfWhatWasHeld() throws Exception {
        sockets.getAuthTokenResult(null, client);
        emit("e1");

        connectHandled();

        assertThat(sent).isEmpty();
        assertThat(sockets.connecting()).isZero();
    }

    @Test
    void atMostMaxHeldEventsAreHeld() throws Exception {
        sockets.getAuthTokenResult(null, client);
        when(client.get(AuthenticatedUser.SOCKET_KEY)).thenReturn(new AuthenticatedUser("u1", "free"));
        for (int i = 0; i < ConnectingSockets.MAX_HELD + 5; i++) {
            emit("e" + i);
        }

        connectHandled();

        assertThat(sent).hasSize(ConnectingSockets.MAX_HELD).startsWith("e0").endsWith("e" + (ConnectingSockets.MAX_HELD - 1));
    }

    @Test
    void aDropDecidedDuringTheConnectComesAfterTheConnectReplyAndWhatWasHeld() throws Exception {
        sockets.getAuthTokenResult(null, client);
        when(client.get(AuthenticatedUser.SOCKET_KEY)).thenReturn(new AuthenticatedUser("u1", "free"));
        emit("e1");
        drops.dropAfterConnect(client, ErrorCode.TOO_MANY_SOCKETS, "too many");
        assertThat(sent).isEmpty();
        verify(client, never()).disconnect();

        connectHandled();

        assertThat(sent).containsExactly("e1", SocketEvents.SOCKET_ERROR);
        verify(client).disconnect();
    }

    @Test
    void aDropDecidedOnceTheConnectReplyIsOutHappensAtOnce() {
        drops.dropAfterConnect(client, ErrorCode.TOO_MANY_SOCKETS, "too many");

        assertThat(sent).containsExactly(SocketEvents.SOCKET_ERROR);
        verify(client).disconnect();
    }

    @Test
    void aSocketWhoseConnectIsRefusedIsNotDroppedAgain() throws Exception {
        sockets.getAuthTokenResult(null, client);
        drops.dropAfterConnect(client, ErrorCode.TOO_MANY_SOCKETS, "too many");

        connectHandled();

        assertThat(sent).isEmpty();
        verify(client, never()).disconnect();
    }
}
