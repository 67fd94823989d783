package dev.streamchat.gateway.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.stereotype.Component;

/**
 * Listeners of one stream's events on this node, besides the user's sockets: the plain-SSE responses. They see
 * exactly what this node's sockets see, as it is sent: the relay's own events for a stream this node runs, and
 * {@link StreamFanout}'s for a stream another node runs (for those the node must hold the user's fan-out
 * subscription, {@code cluster.UserChannels#join}). Events of one stream come in order, from one thread at a time;
 * a listener never blocks and never throws.
 */
@Component
public class StreamListeners {

    /** Receives one event of the stream: its socket event name and socket payload. */
    public interface Listener {
        void onEvent(String event, Object payload);
    }

    private final Map<String, List<Listener>> byStream = new ConcurrentHashMap<>();

    /** Starts delivering {@code streamId}'s events to {@code listener}; run the returned action to stop. */
    public Runnable listen(String streamId, Listener listener) {
        byStream.computeIfAbsent(streamId, id -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> byStream.computeIfPresent(streamId, (id, listeners) -> {
            listeners.remove(listener);
            return listeners.isEmpty() ? null : listeners;
        });
    }

    void deliver(String streamId, String event, Object payload) {
        if (byStream.isEmpty()) {
            return;
        }
        List<Listener> listeners = byStream.get(streamId);
        if (listeners != null) {
            for (Listener listener : listeners) {
                listener.onEvent(event, payload);
            }
        }
    }
}
