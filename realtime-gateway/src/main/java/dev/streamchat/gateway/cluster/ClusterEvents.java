package dev.streamchat.gateway.cluster;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.socket.RoomEvents;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.UserEvents;
import tools.jackson.databind.json.JsonMapper;

/**
 * The user's room across every node: an event goes to this node's sockets at once, then (except the events of a
 * chat stream) to the user's Redis channel in one PUBLISH, from which every other node with a socket of that user
 * delivers it. A chat stream's events ride its resume-log flush instead (one script appends and publishes the
 * batch, so a resume elsewhere can merge log and live exactly): see {@code stream.StreamFanout}.
 * Never blocks, never throws; Redis down loses the remote copy only (those clients can reload or resume).
 */
@Primary
@Component
public class ClusterEvents implements UserEvents {

    private static final Logger log = LoggerFactory.getLogger(ClusterEvents.class);
    static final String KIND = "e";

    /** Carried by the stream's log flush, in seq order with its tokens. */
    private static final Set<String> STREAM_EVENTS = Set.of(SocketEvents.STREAM_START, SocketEvents.STREAM_TOKEN,
            SocketEvents.STREAM_PROGRESS, SocketEvents.STREAM_COMPLETE, SocketEvents.STREAM_ERROR);

    private final RoomEvents local;
    private final UserChannels channels;
    private final Counter published;

    ClusterEvents(RoomEvents local, JsonMapper json, UserChannels channels, MeterRegistry meters) {
        this.local = local;
        this.channels = channels;
        this.published = Counter.builder("gateway.fanout.events.published")
                .description("Room events (other than stream events) published to other nodes").register(meters);
        channels.onFrame(KIND, (userId, frame) -> local.emit(userId, frame.path("e").asString(),
                json.treeToValue(frame.path("p"), Object.class)));
    }

    @Override
    public void emit(String userId, String event, Object payload) {
        local.emit(userId, event, payload);
        if (STREAM_EVENTS.contains(event)) {
            return;
        }
        try {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("e", event);
            body.put("p", payload);
            channels.publish(userId, KIND, body)
                    .subscribe(n -> published.increment(),
                            error -> log.debug("fan-out publish failed event={} error={}", event, error.toString()));
        } catch (RuntimeException e) {
            log.warn("fan-out publish failed event={} error={}", event, e.toString());
        }
    }
}
