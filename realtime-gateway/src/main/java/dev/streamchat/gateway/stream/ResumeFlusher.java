package dev.streamchat.gateway.stream;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves relayed tokens into the Redis resume log off the token path: one thread ticks every {@code flush-interval}
 * and queues, per stream whose flush is due (at most one call in flight per stream), one {@code EVALSHA} of
 * {@link StreamStore#FLUSH} that appends the batch under an explicit Stream ID (its last seq) and returns the durable
 * stop flag; then it sends the whole tick with one {@code flushCommands()} on a connection of its own (pipelining:
 * one write and one wake-up per tick, not per stream). TTLs and the stream's liveness lease are refreshed at most
 * once a second (a lapsed lease ends the stream here too, since every other node already counts it as failed). Idle
 * running streams are polled every 250 ms so a stop requested on another node lands within a second. A stream's
 * tokens go every tick while someone reads them from the flushes (another node listens to the user's channel, which
 * the script reports, or a resume ran here) and the final event goes at once; otherwise tokens wait up to
 * {@code resume-batch} and go together: one call per stream per batch instead of per token, which is most of Redis's
 * work for a stream (a crash loses at most that much of a reply that fails anyway). Replies are
 * handled on the Redis I/O thread with plain field writes (no hop back). A batch Redis refused stays in memory
 * for the next tick; after a {@code NOSCRIPT} (Redis restarted) the script is sent again with {@code EVAL}.
 */
@Component
class ResumeFlusher extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(ResumeFlusher.class);
    private static final long IDLE_POLL_MS = 250;
    private static final long REFRESH_MS = 1000;

    private final ActiveStreams active;
    private final StreamStore store;
    private final StreamRelay relay;
    private final StreamProperties properties;
    private final JsonMapper json;
    private final StreamFanout fanout;
    private final long pendingRenewMillis;
    private final long batchMillis;
    /** The script's SHA once Redis has it; null: send the script itself (first tick, after NOSCRIPT). */
    private volatile String flushSha;

    ResumeFlusher(ActiveStreams active, StreamStore store, StreamRelay relay, StreamProperties properties, JsonMapper json,
                  StreamFanout fanout) {
        super(Schedulers.newSingle("resume-flusher", true),
                Duration.ofMillis(Math.max(5, properties.flushInterval().toMillis())));
        this.fanout = fanout;
        this.active = active;
        this.store = store;
        this.relay = relay;
        this.properties = properties;
        this.json = json;
        this.pendingRenewMillis = Math.max(IDLE_POLL_MS, properties.leaseTtl().toMillis() / 3);
        this.batchMillis = properties.resumeBatch().toMillis();
        relay.onFlushRequest(() -> scheduler().schedule(this::tick));
    }

    /** Runs on the flusher thread only. */
    @Override
    protected void tick() {
        StatefulRedisConnection<String, String> connection = store.flusherConnection();
        if (connection == null) {
            return; // (re)connecting: the batches wait in memory
        }
        RedisAsyncCommands<String, String> redis = connection.async();
        long now = System.currentTimeMillis();
        boolean queued = false;
        for (RunningStream stream : active.all()) {
            int state = stream.state.get();
            if (stream.flushInFlight || state == RunningStream.ABORTED) {
                continue;
            }
            if (state == RunningStream.PENDING) {
                // Still waiting for the ai-service's status (the blocking route may take long): only renew the
                // lease, a third of its lifetime after it was taken or last renewed.
                if (stream.lastFlushMillis == 0) {
                    stream.lastFlushMillis = now;
                    stream.lastRefreshMillis = now;
                    continue;
                }
                if (now - stream.lastFlushMillis < pendingRenewMillis) {
                    continue;
                }
            } else if (!due(stream, now - stream.lastFlushMillis)) {
                continue;
            }
            queueFlush(redis, stream, now);
            queued = true;
        }
        if (queued) {
            connection.flushCommands();
        }
    }

    /** Whether a started stream, last flushed {@code sinceMillis} ago, is flushed in this tick. */
    private boolean due(RunningStream stream, long sinceMillis) {
        if (!stream.startAnnounced || stream.finalPending()) {
            return true;
        }
        if (stream.hasTokens()) {
            return stream.flushEveryTick() || sinceMillis >= batchMillis;
        }
        return sinceMillis >= IDLE_POLL_MS; // nothing to write: only read the stop flag and keep the lease
    }

    private void queueFlush(RedisAsyncCommands<String, String> redis, RunningStream stream, long now) {
        RunningStream.Batch batch = stream.takeBatch();
        boolean refresh = now - stream.lastRefreshMillis >= REFRESH_MS;
        stream.flushInFlight = true;
        stream.lastFlushMillis = now;
        if (refresh) {
            stream.lastRefreshMillis = now;
        }
        if (stream.flushTarget == null) {
            stream.flushTarget = StreamStore.FlushTarget.of(stream.spec, fanout);
        }
        String failedState = batch.finalEntry() == null ? "" : relay.stateJson(stream.spec, "failed");
        String tokens = batch.tokens().isEmpty() ? "" : json.writeValueAsString(batch.tokens());
        // chat-stream-start reaches other nodes with the first flush after the ai-service accepted, ahead of any token.
        boolean announceStart = !stream.startAnnounced && stream.state.get() != RunningStream.PENDING;
        String sha = flushSha;
        RedisFuture<Long> reply = store.queueFlush(redis, sha, stream.flushTarget, stream.spec, batch, tokens,
                failedState, refresh, announceStart ? fanout.startJson(stream.spec) : "",
                fanout.subscribedHere(stream.spec));
        if (sha == null) {
            flushSha = redis.digest(StreamStore.FLUSH); // EVAL has loaded it: later calls send only the SHA
        }
        // On the Redis I/O thread: field writes and non-blocking calls only.
        reply.whenComplete((scriptAnswer, error) -> {
            if (error != null) {
                if (String.valueOf(error.getMessage()).startsWith("NOSCRIPT")) {
                    flushSha = null;
                }
                if (refresh) {
                    stream.lastRefreshMillis = 0; // refresh on the next try
                }
                stream.restore(batch);
                stream.flushInFlight = false;
                log.debug("resume flush failed streamId={}", stream.spec.streamId(), error);
                return;
            }
            long answer = scriptAnswer == null ? 0 : scriptAnswer;
            if (answer == -2L) {
                // Redis restarted empty: record the stream again; this batch goes out with the next tick.
                stream.restore(batch);
                stream.lastRefreshMillis = 0;
                reopen(stream);
                return;
            }
            if (answer >= 0) {
                stream.othersListen = (answer & StreamStore.OTHERS_LISTEN) != 0;
                answer &= ~StreamStore.OTHERS_LISTEN;
            }
            stream.flushInFlight = false;
            if (announceStart) {
                stream.startAnnounced = true;
            }
            if (batch.finalEntry() != null) {
                stream.finalFlushed.tryEmitEmpty();
            } else if (answer == 1L) {
                relay.stop(stream);
            } else if (answer == -1L) {
                relay.leaseLost(stream);
            }
        });
    }

    /** Keeps flushInFlight set until the stream is recorded again, so no flush runs against the missing keys. */
    private void reopen(RunningStream stream) {
        log.warn("stream keys lost in Redis (restart?), recording the stream again streamId={}", stream.spec.streamId());
        store.reopen(stream.spec, relay.stateJson(stream.spec, "in_progress"))
                .subscribe(locked -> {
                    stream.flushInFlight = false;
                    if (!locked) {
                        relay.leaseLost(stream);
                    }
                }, error -> stream.flushInFlight = false);
    }
}
