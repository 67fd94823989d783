package dev.streamchat.gateway.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.handler.ClientHead;
import com.corundumstudio.socketio.messages.PacketsMessage;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

import dev.streamchat.gateway.auth.AuthenticatedUser;

/**
 * Holds the room events of a socket until netty-socketio has queued its CONNECT reply, then sends them right after it.
 * netty-socketio runs the authentication listeners, where the socket joins its user's room, before it queues the
 * CONNECT packet; an event emitted to the room in between (a tab connecting while its user's answer streams) would
 * reach the client ahead of its CONNECT. The Socket.IO protocol has no event before CONNECT: socket.io-client-java
 * (2.1.2) buffers such an event and then delivers it with the event name as its payload (a String), and any client
 * would see an event of a socket that is not connected yet.
 * <p>
 * Holding starts in the first authentication listener (registered before the one that joins the room) and ends once
 * the inbound message that carried the CONNECT went through the packet handler (this handler sits just before it, so
 * the CONNECT reply is queued when the message comes back): an accepted socket then gets what was held, a refused one
 * nothing. At most {@value #MAX_HELD} events are held (past that the socket misses them, as a slow socket does, and can
 * {@code chat-resume}). A decision to drop the socket taken meanwhile ({@link SocketDrops#dropAfterConnect}) runs right
 * after the held events, so its {@code socket-error} follows the CONNECT reply too. Only sockets in the middle of a
 * CONNECT are tracked, so for every other event this costs one
 * {@code isEmpty()}. Thread-safe: events come from relay and Redis threads, the release runs on the socket's loop.
 */
@Sharable
final class ConnectingSockets extends ChannelInboundHandlerAdapter implements AuthTokenListener {

    static final int MAX_HELD = 1024;

    private final Map<UUID, Held> connecting = new ConcurrentHashMap<>();

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        connecting.put(client.getSessionId(), new Held(client));
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    /**
     * Runs {@code action} right after the socket's CONNECT reply is queued (after the events held until then), or at
     * once when no CONNECT of the socket is being handled (its reply is out already). Not run when the CONNECT is
     * refused: a socket that never connected needs no word from the server.
     */
    void afterConnectReply(SocketIOClient client, Runnable action) {
        Held held = connecting.isEmpty() ? null : connecting.get(client.getSessionId());
        if (held == null || !held.runAfter(action)) {
            action.run();
        }
    }

    /** True when the event was held because the socket's CONNECT reply is not queued yet (then do not send it). */
    boolean hold(SocketIOClient client, String event, Object payload) {
        if (connecting.isEmpty()) {
            return false;
        }
        Held held = connecting.get(client.getSessionId());
        return held != null && held.add(event, payload);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        try {
            ctx.fireChannelRead(msg);
        } finally {
            if (msg instanceof PacketsMessage message) {
                afterPacketHandler(message.getClient());
            }
        }
    }

    /** The message was handled: a CONNECT it carried has been answered (queued) or refused. */
    private void afterPacketHandler(ClientHead head) {
        if (connecting.isEmpty()) {
            return;
        }
        Held held = connecting.remove(head.getSessionId());
        if (held == null) {
            return;
        }
        if (held.client.get(AuthenticatedUser.SOCKET_KEY) == null) {
            held.drop();
        } else {
            // outside the hold's lock: a drop disconnects, and disconnect listeners run right here
            held.release().forEach(Runnable::run);
        }
    }

    /** Sockets whose CONNECT is being handled right now (tests). */
    int connecting() {
        return connecting.size();
    }

    private static final class Held {
        private final SocketIOClient client;
        private final List<Object[]> events = new ArrayList<>();
        private final List<Runnable> actions = new ArrayList<>();
        private boolean released;
        private boolean dropped;

        Held(SocketIOClient client) {
            this.client = client;
        }

        synchronized boolean add(String event, Object payload) {
            if (released) {
                return false;
            }
            if (events.size() < MAX_HELD && !dropped) {
                events.add(new Object[] {event, payload});
            }
            return true;
        }

        /** False when the CONNECT reply is already out (then run it yourself). Not bounded: one per decision. */
        synchronized boolean runAfter(Runnable action) {
            if (released) {
                return false;
            }
            if (!dropped) {
                actions.add(action);
            }
            return true;
        }

        /** The CONNECT was refused: the socket gets nothing (it left the room, or never joined it). */
        synchronized void drop() {
            dropped = true;
            events.clear();
            actions.clear();
        }

        /**
         * Sends what was held, in order, before any event that arrives later (those wait for this lock); returns the
         * actions to run next.
         */
        synchronized List<Runnable> release() {
            if (released) {
                return List.of();
            }
            released = true;
            for (Object[] event : events) {
                if (UserRooms.canTake(client)) {
                    client.sendEvent((String) event[0], event[1]);
                }
            }
            events.clear();
            List<Runnable> next = List.copyOf(actions);
            actions.clear();
            return next;
        }
    }
}
