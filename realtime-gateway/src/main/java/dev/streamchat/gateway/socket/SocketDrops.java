package dev.streamchat.gateway.socket;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.transport.NamespaceClient;

import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.scheduler.Scheduler;

/**
 * How the server drops a signed-in socket (contract section 3): {@code socket-error {code, message}}, a Socket.IO
 * disconnect at once, and the Engine.IO session {@value #TEARDOWN_GRACE_MS} ms later (so a polling client can still
 * fetch both packets). Thread-safe; never blocks.
 */
class SocketDrops {

    static final long TEARDOWN_GRACE_MS = 1000;
    static final String DROPPED_KEY = "streamchat.dropped";

    private final Scheduler scheduler;
    private final ConnectingSockets connectingSockets;

    SocketDrops(Scheduler scheduler, ConnectingSockets connectingSockets) {
        this.scheduler = scheduler;
        this.connectingSockets = connectingSockets;
    }

    static Map<String, Object> payload(ErrorCode code, String message) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("code", code.wireName());
        payload.put("message", message);
        return payload;
    }

    /**
     * {@link #drop} once the socket's CONNECT reply is queued ({@link ConnectingSockets}), for a decision taken off
     * the event loop while the CONNECT may still be being accepted: a {@code socket-error} sent ahead of the reply
     * would reach a client that is not connected yet (which drops it). At once when the reply is out already; never
     * when the CONNECT was refused.
     */
    void dropAfterConnect(SocketIOClient client, ErrorCode code, String message) {
        connectingSockets.afterConnectReply(client, () -> drop(client, code, message));
    }

    void drop(SocketIOClient client, ErrorCode code, String message) {
        if (client.get(DROPPED_KEY) != null) {
            // Already on its way out (e.g. expiry and logout at once): one socket-error is enough.
            return;
        }
        client.set(DROPPED_KEY, Boolean.TRUE);
        client.sendEvent(SocketEvents.SOCKET_ERROR, payload(code, message));
        client.disconnect();
        if (client instanceof NamespaceClient namespaceClient) {
            ClientHead head = namespaceClient.getBaseClient();
            scheduler.schedule(() -> {
                if (head.isConnected()) {
                    head.disconnect();
                }
            }, TEARDOWN_GRACE_MS, TimeUnit.MILLISECONDS);
        }
    }
}
