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

    SocketDrops(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    static Map<String, Object> payload(ErrorCode code, String message) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("code", code.wireName());
        payload.put("message", message);
        return payload;
    }

    /**
     * {@link #drop} a moment later ({@value #AFTER_CONNECT_MS} ms), for a decision taken off the event loop while the
     * socket's CONNECT is being accepted: the CONNECT ack is queued when the listeners return, and a
     * {@code socket-error} sent ahead of it would reach a client that is not connected yet (which drops it).
     */
    void dropAfterConnect(SocketIOClient client, ErrorCode code, String message) {
        scheduler.schedule(() -> drop(client, code, message), AFTER_CONNECT_MS, TimeUnit.MILLISECONDS);
    }

    static final long AFTER_CONNECT_MS = 100;

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
