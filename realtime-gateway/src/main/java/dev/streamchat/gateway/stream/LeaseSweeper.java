package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Ends the streams of a node that died. Every node, every {@link #interval} (a third of {@code STREAM_LEASE_TTL_S},
 * at most 5 s), reads the running streams whose lease deadline passed from the bounded index
 * {@link StreamStore#RUNNING_INDEX} (at most {@value #BATCH} a tick) and, for each whose lease key is really gone and
 * which this node does not run, runs {@link StreamStore#SWEEP}: one script that checks and ends it, so however many
 * nodes sweep, exactly one ends it and publishes the end frame. That frame carries the retryable
 * {@code chat-stream-error} {@code unavailable} to the user's tabs on every node (this one included: its origin is
 * no node), and the same final entry in the resume log answers later resumes.
 */
@Component
class LeaseSweeper extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(LeaseSweeper.class);
    static final int BATCH = 64;
    static final String MESSAGE = "The server running this answer stopped; try again.";

    private final StreamStore store;
    private final ActiveStreams active;
    private final StreamFanout fanout;
    private final JsonMapper json;
    private final Counter ended;

    LeaseSweeper(StreamStore store, ActiveStreams active, StreamFanout fanout, JsonMapper json,
                 StreamProperties properties, MeterRegistry meters) {
        // whichever task first touches the shared Redis connection opens it (see plainDaemonThread)
        super(plainDaemonThread("lease-sweeper"), intervalFor(properties));
        this.store = store;
        this.active = active;
        this.fanout = fanout;
        this.json = json;
        this.ended = Counter.builder("gateway.stream.lease.expired")
                .description("Streams of a dead node this node ended (each such stream is counted by one node)")
                .register(meters);
    }

    /** One pass (tests call it too); passes never overlap. Never errors. */
    Mono<Void> sweepOnce() {
        return onePassAtATime(() -> store.overdue(System.currentTimeMillis(), BATCH)
                .flatMapMany(Flux::fromIterable)
                .filter(streamId -> active.get(streamId) == null) // ours: our own flush notices a lapsed lease
                .concatMap(streamId -> endIfDead(streamId).onErrorResume(error -> {
                    log.debug("lease sweep failed streamId={} error={}", streamId, error.toString());
                    return Mono.empty();
                }))
                .then()
                .onErrorResume(error -> Mono.empty()));
    }

    private Mono<Void> endIfDead(String streamId) {
        return store.rawMeta(streamId).flatMap(meta -> {
            if (meta.isEmpty()) {
                return store.forgetRunning(streamId);
            }
            String sessionId = meta.getOrDefault("sess", "");
            String userId = meta.getOrDefault("uid", "");
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("event", SocketEvents.STREAM_ERROR);
            entry.put("payload", StreamPayloads.Failed.of(sessionId, streamId, ErrorCode.UNAVAILABLE, MESSAGE));
            String finalEntry = json.writeValueAsString(entry);
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("user_id", userId);
            state.put("session_id", sessionId);
            state.put("stream_id", streamId);
            state.put("started_at", meta.get("startedAt"));
            state.put("status", "failed");
            return store.sweep(streamId, meta, finalEntry, json.writeValueAsString(state),
                            fanout.channel(userId), fanout.endFrame(streamId, sessionId, finalEntry))
                    .doOnNext(endedNow -> {
                        if (endedNow) {
                            ended.increment();
                            log.warn("stream of a dead node ended sessionId={} streamId={}", sessionId, streamId);
                        }
                    })
                    .then();
        });
    }

    /** A third of the lease's lifetime, between 250 ms and 5 s. */
    private static Duration intervalFor(StreamProperties properties) {
        long third = properties.leaseTtl().toMillis() / 3;
        return Duration.ofMillis(Math.max(250, Math.min(5_000, third)));
    }

    Duration interval() {
        return period();
    }

    @Override
    protected void tick() {
        sweepOnce().subscribe(null, e -> { });
    }
}
