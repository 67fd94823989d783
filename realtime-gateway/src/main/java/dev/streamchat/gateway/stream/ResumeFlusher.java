package dev.streamchat.gateway.stream;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Moves relayed tokens into the Redis resume log off the token path: one thread ticks every
 * {@code flush-interval} and sends, per stream with new tokens (at most one call in flight per stream), one
 * Lua script that appends the batch under an explicit Stream ID (its last seq), refreshes the TTLs and
 * returns the durable stop flag (and renews the stream's liveness lease; a lapsed lease ends the stream here
 * too, since every other node already counts it as failed). Idle running streams are polled every 250 ms so a stop requested on another
 * node lands within a second. A batch Redis refused stays in memory for the next tick.
 */
@Component
class ResumeFlusher implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ResumeFlusher.class);
    private static final long IDLE_POLL_MS = 250;

    private final ActiveStreams active;
    private final StreamStore store;
    private final StreamRelay relay;
    private final StreamProperties properties;
    private final JsonMapper json;
    private final Scheduler scheduler = Schedulers.newSingle("resume-flusher", true);
    private final long pendingRenewMillis;
    private volatile Disposable ticking;

    ResumeFlusher(ActiveStreams active, StreamStore store, StreamRelay relay, StreamProperties properties, JsonMapper json) {
        this.active = active;
        this.store = store;
        this.relay = relay;
        this.properties = properties;
        this.json = json;
        this.pendingRenewMillis = Math.max(IDLE_POLL_MS, properties.leaseTtl().toMillis() / 3);
        relay.onFlushRequest(() -> scheduler.schedule(this::tick));
    }

    @Override
    public void start() {
        long period = Math.max(5, properties.flushInterval().toMillis());
        ticking = scheduler.schedulePeriodically(this::tick, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        Disposable current = ticking;
        if (current != null) {
            current.dispose();
        }
        ticking = null;
    }

    @Override
    public boolean isRunning() {
        return ticking != null;
    }

    /** Runs on the flusher thread only. */
    private void tick() {
        long now = System.currentTimeMillis();
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
                    continue;
                }
                if (now - stream.lastFlushMillis < pendingRenewMillis) {
                    continue;
                }
                flush(stream, now);
                continue;
            }
            boolean work = stream.hasWork();
            if (!work && now - stream.lastFlushMillis < IDLE_POLL_MS) {
                continue;
            }
            flush(stream, now);
        }
    }

    private void flush(RunningStream stream, long now) {
        RunningStream.Batch batch = stream.takeBatch();
        stream.flushInFlight = true;
        stream.lastFlushMillis = now;
        String tokens = batch.tokens().isEmpty() ? "" : json.writeValueAsString(batch.tokens());
        store.flush(stream.spec, batch, tokens, relay.stateJson(stream.spec, "failed"))
                .publishOn(scheduler)
                .subscribe(stop -> {
                    stream.flushInFlight = false;
                    if (batch.finalEntry() != null) {
                        stream.finalFlushed.tryEmitEmpty();
                    } else if (stop != null && stop == 1L) {
                        relay.stop(stream);
                    } else if (stop != null && stop == -1L) {
                        relay.leaseLost(stream);
                    }
                }, error -> {
                    stream.flushInFlight = false;
                    stream.restore(batch);
                    log.debug("resume flush failed streamId={}", stream.spec.streamId(), error);
                });
    }
}
