package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.StreamMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.cluster.NodeIdentity;
import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.socket.EncodedPayload;
import dev.streamchat.gateway.socket.RoomEvents;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat stream's events on the nodes that do not run it. The owner's resume-log flush appends a batch and, in the
 * same script, publishes it as one frame to the user's channel when another node is subscribed to it
 * ({@code chat-stream-start} with the first batch, the batch's tokens from seq {@code s}, the final event after the
 * last token). Every other node with a socket of that
 * user turns the frame back into the contract's events for its sockets, each seq once and in order: a seq at or
 * below the last one delivered is dropped (a retried flush republishes its batch); a seq past a gap (a frame lost
 * while the subscription was down) holds the stream while the missing part is read from the resume log, which
 * holds everything ever published because append and publish are one script. The same healing runs after the
 * subscription reconnects and for a stream idle for {@value #IDLE_HEAL_MS} ms (a lost final frame).
 */
@Component
class StreamFanout extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(StreamFanout.class);
    static final String KIND = "s";
    static final String SWEEPER_ORIGIN = "lease-sweeper";
    private static final long IDLE_HEAL_MS = 3000;
    private static final int HEAL_ATTEMPTS = 30;
    private static final long FORGET_AFTER_MS = Duration.ofMinutes(2).toMillis();

    private final NodeIdentity node;
    private final RoomEvents local;
    private final StreamListeners listeners;
    private final StreamStore store;
    private final JsonMapper json;
    private final UserChannels channels;
    private final ActiveStreams active;
    private final StreamRelay relay;
    private final Map<String, RemoteStream> remote = new ConcurrentHashMap<>();
    private final Counter delivered;
    private final Counter healed;

    StreamFanout(NodeIdentity node, RoomEvents local, StreamListeners listeners, StreamStore store, JsonMapper json,
                 UserChannels channels, ActiveStreams active, StreamRelay relay, MeterRegistry meters) {
        super(Schedulers.newSingle("fanout-sweep", true), Duration.ofSeconds(1));
        this.active = active;
        this.relay = relay;
        this.node = node;
        this.local = local;
        this.listeners = listeners;
        this.store = store;
        this.json = json;
        this.channels = channels;
        this.delivered = Counter.builder("gateway.fanout.tokens.delivered")
                .description("Tokens of streams run by other nodes delivered to this node's sockets").register(meters);
        this.healed = Counter.builder("gateway.fanout.heals")
                .description("Gaps in another node's stream filled from the resume log").register(meters);
        channels.onFrame(KIND, this::onFrame);
        channels.onResubscribed(() -> remote.values().forEach(stream -> heal(stream, null)));
    }

    /**
     * The start of every frame the owner's flush publishes for this stream, up to {@code "start":}; {@link
     * StreamStore#FLUSH} completes it in Redis, only when another node listens, as
     * {@code {"o":node,"k":"s","sid":streamId,"sess":sessionId,"start":chat-stream-start payload or null,"s":first seq,
     * "t":[tokens],"end":final entry or null}}. Built once per stream.
     */
    String frameHead(StreamSpec spec) {
        return "{\"o\":" + json.writeValueAsString(node.id()) + ",\"k\":\"" + KIND + "\",\"sid\":"
                + json.writeValueAsString(spec.streamId()) + ",\"sess\":" + json.writeValueAsString(spec.sessionId())
                + ",\"start\":";
    }

    /** The chat-stream-start payload the first flush after the ai-service accepted carries to other nodes. */
    String startJson(StreamSpec spec) {
        return json.writeValueAsString(new StreamPayloads.Started(spec.sessionId(), spec.streamId(), spec.messageId(),
                spec.clientRequestId()));
    }

    String channel(StreamSpec spec) {
        return channel(spec.userId());
    }

    String channel(String userId) {
        return UserChannels.channel(userId);
    }

    /**
     * The frame a {@link LeaseSweeper} publishes for a dead node's stream: only the final entry. Its origin is no
     * node, so every node delivers it, the sweeping one included.
     */
    String endFrame(String streamId, String sessionId, String finalEntry) {
        return "{\"o\":\"" + SWEEPER_ORIGIN + "\",\"k\":\"" + KIND + "\",\"sid\":" + json.writeValueAsString(streamId)
                + ",\"sess\":" + json.writeValueAsString(sessionId) + ",\"start\":null,\"s\":0,\"t\":[],\"end\":"
                + finalEntry + "}";
    }

    /** Whether this node holds a confirmed subscription to the user's channel (then it is one of its subscribers). */
    boolean subscribedHere(StreamSpec spec) {
        return channels.isSubscribed(spec.userId());
    }

    /** A frame from the owner of the stream (Redis client thread). */
    void onFrame(String userId, JsonNode frame) {
        String streamId = frame.path("sid").asString("");
        if (streamId.isEmpty()) {
            return;
        }
        RunningStream own = active.get(streamId);
        if (own != null) {
            // Another node ended a stream this node still runs: its lease had lapsed (this node was paused or cut
            // off from Redis). Every other tab already got the error; end it here the same way.
            relay.leaseLost(own);
            return;
        }
        RemoteStream stream = remote.computeIfAbsent(streamId,
                id -> new RemoteStream(userId, id, frame.path("sess").asString("")));
        if (!stream.userId.equals(userId)) {
            return; // a stream id arriving on another user's channel: never cross users
        }
        boolean gap;
        synchronized (stream) {
            stream.touchedMillis = System.currentTimeMillis();
            if (stream.healing) {
                stream.queued.add(frame);
                return;
            }
            gap = apply(stream, frame, false);
            if (gap) {
                stream.healing = true;
                stream.queued.add(frame);
            }
        }
        if (gap) {
            heal(stream, frame);
        }
    }

    /**
     * Delivers a frame's events in order; returns true (having delivered nothing of its tokens) when its first new
     * token lies past a gap that the log must fill. Caller holds the stream's lock.
     */
    private boolean apply(RemoteStream stream, JsonNode frame, boolean acceptGap) {
        JsonNode start = frame.path("start");
        if (start.isObject() && !stream.started) {
            stream.started = true;
            emit(stream, SocketEvents.STREAM_START, encoded(stream, start));
        }
        JsonNode tokens = frame.path("t");
        long seq = frame.path("s").asLong(0);
        if (tokens.isArray() && !tokens.isEmpty()) {
            long last = seq + tokens.size() - 1;
            boolean seenBefore = stream.started || stream.lastSeq > 0;
            if (!acceptGap && seenBefore && last > stream.lastSeq && seq > stream.lastSeq + 1) {
                return true;
            }
            LoggedItems.forEach(tokens, seq, stream.tokens, (itemSeq, event, payload) -> deliverItem(stream, itemSeq, event, payload));
        }
        JsonNode end = frame.path("end");
        if (end.isObject()) {
            deliverEnd(stream, end.path("event").asString(), encoded(stream, end.path("payload")));
        }
        return false;
    }

    /**
     * A start or final payload as the bytes the owner sent, carrying its stream id (so a socket's resume gate holds it
     * like the owner's own) and no seq.
     */
    private EncodedPayload encoded(RemoteStream stream, JsonNode payload) {
        return new EncodedPayload(stream.streamId, 0, json.writeValueAsBytes(payload));
    }

    /** A token or progress event (see {@link LoggedItems}), once per seq, in order. */
    private void deliverItem(RemoteStream stream, long seq, String event, Object payload) {
        if (seq <= stream.lastSeq || stream.ended) {
            return;
        }
        stream.lastSeq = seq;
        emit(stream, event, payload);
        delivered.increment();
    }

    private void deliverEnd(RemoteStream stream, String event, Object payload) {
        if (stream.ended) {
            return;
        }
        stream.ended = true;
        emit(stream, event, payload);
    }

    /** To this node's sockets of the user and its plain-SSE listeners of the stream. */
    private void emit(RemoteStream stream, String event, Object payload) {
        local.emit(stream.userId, event, payload);
        listeners.deliver(stream.streamId, event, payload);
    }

    /**
     * Reads the log after the last delivered seq and delivers what it holds, then the frames held meanwhile.
     * {@code trigger} is the frame that found the gap (null for a reconnect or idle check).
     */
    private void heal(RemoteStream stream, JsonNode trigger) {
        long from;
        synchronized (stream) {
            if (stream.ended || (trigger == null && stream.healing)) {
                return;
            }
            stream.healing = true;
            from = stream.lastSeq + 1;
        }
        healed.increment();
        readLog(stream, from, 0);
    }

    private void readLog(RemoteStream stream, long from, int attempt) {
        store.entriesFrom(stream.streamId, from)
                .collectList()
                .subscribe(entries -> finishHeal(stream, entries),
                        error -> {
                            if (attempt < HEAL_ATTEMPTS) {
                                // Redis is unreachable: the frames wait (held) and the log is read again shortly.
                                scheduler().schedule(() -> readLog(stream, from, attempt + 1), 1, TimeUnit.SECONDS);
                            } else {
                                log.warn("fan-out gap not healed, Redis unreachable streamId={}", stream.streamId);
                                finishHeal(stream, List.of());
                            }
                        });
    }

    private void finishHeal(RemoteStream stream, List<StreamMessage<String, String>> entries) {
        synchronized (stream) {
            for (StreamMessage<String, String> entry : entries) {
                Map<String, String> body = entry.getBody();
                if ("tok".equals(body.get("t"))) {
                    LoggedItems.forEach(json.readTree(body.get("d")), Long.parseLong(body.get("s")), stream.tokens,
                            (seq, event, payload) -> deliverItem(stream, seq, event, payload));
                } else if ("end".equals(body.get("t"))) {
                    JsonNode fin = json.readTree(body.get("d"));
                    deliverEnd(stream, fin.path("event").asString(), encoded(stream, fin.path("payload")));
                }
            }
            // What was held: the log covered all of it (it was published after being appended), or Redis stayed
            // unreachable and the held frames are delivered as they are rather than never.
            while (!stream.queued.isEmpty()) {
                apply(stream, stream.queued.poll(), true);
            }
            stream.healing = false;
            stream.touchedMillis = System.currentTimeMillis();
        }
    }

    /** Heals streams gone quiet without an end (a lost final frame) and forgets old ones. */
    @Override
    protected void tick() {
        long now = System.currentTimeMillis();
        for (RemoteStream stream : remote.values()) {
            long idle;
            boolean ended;
            synchronized (stream) {
                idle = now - stream.touchedMillis;
                ended = stream.ended;
            }
            if (idle > FORGET_AFTER_MS) {
                remote.remove(stream.streamId, stream);
            } else if (!ended && idle > IDLE_HEAL_MS) {
                synchronized (stream) {
                    stream.touchedMillis = now;
                }
                heal(stream, null);
            }
        }
    }

    /** What this node delivered of one stream another node runs. Guarded by itself. */
    private static final class RemoteStream {
        final String userId;
        final String streamId;
        final String sessionId;
        final ArrayDeque<JsonNode> queued = new ArrayDeque<>();
        final TokenEncoder tokens;
        long lastSeq;
        boolean started;
        boolean ended;
        boolean healing;
        long touchedMillis = System.currentTimeMillis();

        RemoteStream(String userId, String streamId, String sessionId) {
            this.userId = userId;
            this.streamId = streamId;
            this.sessionId = sessionId;
            this.tokens = new TokenEncoder(sessionId, streamId);
        }
    }
}
