package dev.streamchat.gateway.socket;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import com.corundumstudio.socketio.SocketIOClient;

/**
 * Keeps {@code chat-resume}'s promise "the missed events in seq order, then the live ones" for one socket: while a
 * replay of a stream runs, that stream's live events for that socket are held instead of sent, and released
 * after the replay without the ones it already delivered. Other sockets and other streams are not affected.
 * Thread-safe: live events come from relay threads, the replay from Redis client threads.
 */
final class ResumeGates {

    /** Live events held per gate before the gate gives up holding (the socket can resume again). */
    static final int MAX_HELD_EVENTS = 10_000;

    private record Key(UUID socket, String streamId) {
    }

    private final Map<Key, Gate> gates = new ConcurrentHashMap<>();

    /**
     * Starts holding {@code streamId}'s live events for {@code client}; the replay sends through the returned gate.
     * Null while a replay of that stream to that socket is still running: a second one would queue the whole log again.
     */
    Gate open(SocketIOClient client, String streamId) {
        Key key = new Key(client.getSessionId(), streamId);
        Gate gate = new Gate(client);
        if (gates.putIfAbsent(key, gate) != null) {
            return null;
        }
        gate.onClose(() -> gates.remove(key, gate));
        return gate;
    }

    /** True when the event was held for a replay in progress (then the caller must not send it). */
    boolean hold(SocketIOClient client, String event, Object payload) {
        if (gates.isEmpty() || !(payload instanceof StreamPayload streamPayload)) {
            return false;
        }
        Gate gate = gates.get(new Key(client.getSessionId(), streamPayload.streamId()));
        return gate != null && gate.hold(event, payload);
    }

    /** A token's seq (from 1), or 0 for any other event. */
    private static long seqOf(Object payload) {
        return payload instanceof StreamPayload streamPayload ? streamPayload.seq() : 0;
    }

    /** One replay's gate. */
    static final class Gate {
        private final SocketIOClient client;
        private final List<Object[]> held = new ArrayList<>();
        private Runnable onClose = () -> { };
        private long lastReplayedSeq;
        private boolean finalReplayed;
        private boolean closed;

        private Gate(SocketIOClient client) {
            this.client = client;
        }

        private void onClose(Runnable action) {
            this.onClose = action;
        }

        /**
         * Sends one replayed event to the socket and remembers how far the replay got. A socket that has stopped
         * reading ({@link UserRooms#canTake}) is skipped, as live events are: it can resume again later.
         */
        synchronized void sendReplayed(String event, Object payload) {
            if (!UserRooms.canTake(client)) {
                return;
            }
            long seq = seqOf(payload);
            if (seq > 0) {
                lastReplayedSeq = Math.max(lastReplayedSeq, seq);
            } else if (SocketEvents.STREAM_COMPLETE.equals(event) || SocketEvents.STREAM_ERROR.equals(event)) {
                finalReplayed = true;
            }
            client.sendEvent(event, payload);
        }

        private synchronized boolean hold(String event, Object payload) {
            if (closed || held.size() >= MAX_HELD_EVENTS) {
                return false;
            }
            held.add(new Object[] {event, payload});
            return true;
        }

        /** Ends the replay: sends the held live events it did not cover, in the order they came, then lets live events through. */
        synchronized void release() {
            if (closed) {
                return;
            }
            closed = true;
            for (Object[] entry : held) {
                String event = (String) entry[0];
                Object payload = entry[1];
                if (!coveredByReplay(event, payload) && UserRooms.canTake(client)) {
                    client.sendEvent(event, payload);
                }
            }
            held.clear();
            onClose.run();
        }

        private boolean coveredByReplay(String event, Object payload) {
            long seq = seqOf(payload);
            if (seq > 0) {
                return seq <= lastReplayedSeq;
            }
            boolean isFinal = SocketEvents.STREAM_COMPLETE.equals(event) || SocketEvents.STREAM_ERROR.equals(event);
            return isFinal && finalReplayed;
        }
    }
}
