package dev.streamchat.gateway.sse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayload;
import dev.streamchat.gateway.socket.StreamPayloads;
import dev.streamchat.gateway.stream.StreamListeners;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.concurrent.Queues;
import tools.jackson.databind.json.JsonMapper;

/**
 * One plain-SSE response of one stream: what the stream sends (live, and for a resume first the replay from the
 * Redis log) becomes SSE frames in a bounded queue that the HTTP response drains as the client reads. Each seq is
 * sent once and in order, the final event once, and nothing after it (then the response ends). While a replay runs,
 * live events are held and sent after it, without those it covered (as the socket's resume gate does). A client that
 * reads so slowly that {@code maxBufferedEvents} frames wait is dropped: nothing more is queued for it, it gets what
 * is queued and then its connection is closed (at the latest {@code dropGrace} later, read or not), and it can resume
 * with {@code Last-Event-ID} from the last event it got. Thread-safe: live events come from relay and Redis threads, the replay from Redis
 * threads; everything is serialised on this object.
 */
final class SseSubscriber implements StreamListeners.Listener {

    /** Thrown into the response of a dropped reader: the server closes the connection. */
    static final class SlowReader extends RuntimeException {
        SlowReader() {
            super("SSE reader too slow", null, false, false);
        }
    }

    private final String streamId;
    private final JsonMapper json;
    private final int maxBuffered;
    private final Duration dropGrace;
    private final Sinks.Many<byte[]> out;
    /** Completes after the final frame was queued; errors when the reader is dropped. */
    private final Sinks.Empty<Void> ended = Sinks.empty();
    private volatile long lastWriteNanos = System.nanoTime();
    private volatile Runnable onClose = () -> { };

    // Guarded by this.
    private boolean replaying;
    private final List<Object[]> held = new ArrayList<>();
    private long lastSeq;
    private boolean finished;
    private boolean dropped;
    private boolean closed;

    SseSubscriber(String streamId, JsonMapper json, int maxBuffered, Duration dropGrace, boolean replaying,
                  long afterSeq) {
        this.streamId = streamId;
        this.json = json;
        this.maxBuffered = maxBuffered;
        this.dropGrace = dropGrace;
        this.out = Sinks.many().unicast().onBackpressureBuffer(Queues.<byte[]>get(maxBuffered).get());
        this.replaying = replaying;
        this.lastSeq = afterSeq;
    }

    /** Runs once when the response ends, whatever the reason (stop listening, release the fan-out subscription). */
    void onClose(Runnable action) {
        this.onClose = action;
    }

    boolean dropped() {
        synchronized (this) {
            return dropped;
        }
    }

    /** A live event of the stream. */
    @Override
    public synchronized void onEvent(String event, Object payload) {
        if (replaying) {
            if (held.size() >= maxBuffered) {
                drop();
            } else {
                held.add(new Object[] {event, payload});
            }
            return;
        }
        send(event, payload);
    }

    /** An event of the replay from the log. */
    synchronized void replayed(String event, Object payload) {
        send(event, payload);
    }

    /**
     * The replay is over: the held live events follow (those it covered are skipped). A stream that failed without a
     * final event in its log (its node died and its lease lapsed) gets the error its sockets would see on retry.
     */
    synchronized void replayDone(boolean failedWithoutFinal) {
        replaying = false;
        for (Object[] event : held) {
            send((String) event[0], event[1]);
        }
        held.clear();
        if (failedWithoutFinal && !finished) {
            send(SocketEvents.STREAM_ERROR, StreamPayloads.Failed.of(null, streamId, ErrorCode.UNAVAILABLE,
                    "The answer was interrupted; try again."));
        }
    }

    // Caller holds the lock.
    private void send(String event, Object payload) {
        String name = SseFrames.name(event);
        if (finished || dropped || name == null) {
            return;
        }
        long seq = payload instanceof StreamPayload streamPayload ? streamPayload.seq() : 0;
        if (seq > 0) {
            if (seq <= lastSeq) {
                return; // already sent (replay and live overlap)
            }
            lastSeq = seq;
        }
        if (out.tryEmitNext(SseFrames.frame(name, seq, payload, json)).isFailure()) {
            drop();
            return;
        }
        if (SseFrames.isFinal(event)) {
            finished = true;
            out.tryEmitComplete();
            ended.tryEmitEmpty();
        }
    }

    // Caller holds the lock.
    private void drop() {
        dropped = true;
        held.clear();
        // The queued frames go out first (a reader that was only briefly behind keeps what it can take), then the
        // error closes the connection; a reader that takes nothing is cut off after the grace time anyway.
        out.tryEmitError(new SlowReader());
        Mono.delay(dropGrace).subscribe(tick -> ended.tryEmitError(new SlowReader()));
        close();
    }

    /**
     * The response body: the queued frames, a keepalive comment for every {@code keepalive} without a frame, ending
     * after the final event, or with an error (the connection is closed) for a dropped reader, or after
     * {@code maxDuration} in any case.
     */
    Flux<byte[]> frames(Duration keepalive, Duration maxDuration) {
        long idleNanos = keepalive.toNanos();
        Mono<Void> endedQuietly = ended.asMono().onErrorResume(e -> Mono.empty());
        Flux<byte[]> frames = out.asFlux().doOnNext(frame -> lastWriteNanos = System.nanoTime());
        Flux<byte[]> keepalives = Flux.interval(keepalive)
                .onBackpressureDrop()
                .filter(tick -> System.nanoTime() - lastWriteNanos >= idleNanos * 9 / 10)
                .map(tick -> {
                    lastWriteNanos = System.nanoTime();
                    return SseFrames.KEEPALIVE;
                })
                .takeUntilOther(endedQuietly);
        return Flux.merge(frames, keepalives, ended.asMono().then(Mono.<byte[]>empty()))
                .takeUntilOther(Mono.delay(maxDuration))
                .doFinally(signal -> close());
    }

    /** Stops everything this response holds; the stream itself goes on (closing a response is not a stop). */
    void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            held.clear();
        }
        onClose.run();
    }

    /** For logs: the stream and how far this response got. */
    synchronized Map<String, Object> describe() {
        return Map.of("streamId", streamId, "lastSeq", lastSeq, "finished", finished, "dropped", dropped);
    }
}
