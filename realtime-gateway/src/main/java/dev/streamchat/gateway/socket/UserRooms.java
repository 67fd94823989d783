package dev.streamchat.gateway.socket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.Transport;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;

/**
 * {@link UserEvents} on this node: the event goes to every socket in the default namespace's room named by the user
 * id (never {@code server.getRoomOperations}, which spans namespaces). A socket that has stopped reading is skipped
 * rather than buffered for: a WebSocket above its write-buffer high water mark, a polling socket with
 * {@value #MAX_QUEUED_POLLING_PACKETS} packets not yet fetched. It can catch up with {@code chat-resume}. A socket
 * whose CONNECT reply is not out yet gets the event right after it ({@link ConnectingSockets}).
 * Never blocks, never throws.
 */
class UserRooms implements RoomEvents, UserSocketLoops {

    private static final Logger log = LoggerFactory.getLogger(UserRooms.class);
    static final int MAX_QUEUED_POLLING_PACKETS = 4096;

    private final SocketIONamespace namespace;
    private final ConnectingSockets connectingSockets;
    private final ResumeGates resumeGates;
    private final Counter skipped;

    UserRooms(SocketIONamespace namespace, ConnectingSockets connectingSockets, ResumeGates resumeGates,
              MeterRegistry registry) {
        this.namespace = namespace;
        this.connectingSockets = connectingSockets;
        this.resumeGates = resumeGates;
        this.skipped = Counter.builder("gateway.socket.events.skipped")
                .description("Events not sent to a socket that stopped reading").register(registry);
    }

    @Override
    public void emit(String userId, String event, Object payload) {
        try {
            for (SocketIOClient client : namespace.getRoomOperations(userId).getClients()) {
                if (connectingSockets.hold(client, event, payload) || resumeGates.hold(client, event, payload)) {
                    continue;
                }
                if (canTake(client)) {
                    client.sendEvent(event, payload);
                } else {
                    skipped.increment();
                    log.debug("event skipped for a slow socket sessionId={} event={}", client.getSessionId(), event);
                }
            }
        } catch (RuntimeException e) {
            log.warn("emit failed userId={} event={} error={}", userId, event, e.toString());
        }
    }

    @Override
    public EventLoop loopOf(String userId) {
        try {
            for (SocketIOClient client : namespace.getRoomOperations(userId).getClients()) {
                Object loop = client.get(SocketLoopTracker.LOOP_KEY);
                if (loop instanceof EventLoop eventLoop) {
                    return eventLoop;
                }
            }
        } catch (RuntimeException e) {
            log.debug("no socket loop userId={} error={}", userId, e.toString());
        }
        return null;
    }

    static boolean canTake(SocketIOClient client) {
        if (!(client instanceof NamespaceClient namespaceClient)) {
            return true;
        }
        ClientHead head = namespaceClient.getBaseClient();
        if (head.getCurrentTransport() == Transport.WEBSOCKET) {
            return head.isWritable();
        }
        return head.getPacketsQueue(Transport.POLLING).size() < MAX_QUEUED_POLLING_PACKETS;
    }
}
