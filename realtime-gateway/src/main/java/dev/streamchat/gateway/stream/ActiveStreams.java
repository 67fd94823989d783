package dev.streamchat.gateway.stream;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/** The streams this node is relaying right now, by stream id. Thread-safe. */
@Component
class ActiveStreams {

    private final ConcurrentHashMap<String, RunningStream> streams = new ConcurrentHashMap<>();

    ActiveStreams(MeterRegistry meters) {
        Gauge.builder("chat.stream.active", streams, ConcurrentHashMap::size)
                .description("Streams this gateway node is relaying").register(meters);
    }

    void add(RunningStream stream) {
        streams.put(stream.spec.streamId(), stream);
    }

    void remove(RunningStream stream) {
        streams.remove(stream.spec.streamId(), stream);
    }

    RunningStream get(String streamId) {
        return streams.get(streamId);
    }

    Collection<RunningStream> all() {
        return streams.values();
    }

    /** The running stream of a session on this node, if any. */
    RunningStream ofSession(String sessionId) {
        for (RunningStream stream : streams.values()) {
            if (stream.spec.sessionId().equals(sessionId)) {
                return stream;
            }
        }
        return null;
    }
}
