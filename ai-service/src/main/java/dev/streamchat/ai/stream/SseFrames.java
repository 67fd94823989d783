package dev.streamchat.ai.stream;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.springframework.http.codec.ServerSentEvent;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns answer events into SSE frames: one JSON object per {@code data:} line, a first {@code : keepalive} comment
 * that makes the server send status and headers at once (before retrieval and any token-rate wait), and a
 * {@code : keepalive} comment after every {@code keepalive} of silence.
 */
public final class SseFrames {

    /** Written as {@code : keepalive} followed by a blank line. */
    public static final ServerSentEvent<String> KEEPALIVE = ServerSentEvent.<String>builder().comment(" keepalive").build();

    private final JsonMapper json;
    private final Duration keepalive;
    private final Scheduler timer;

    public SseFrames(JsonMapper json, Duration keepalive, Scheduler timer) {
        this.json = json;
        this.keepalive = keepalive;
        this.timer = timer;
    }

    public Flux<ServerSentEvent<String>> frames(Flux<ChatEvent> events) {
        return Flux.defer(() -> {
            Silence silence = new Silence();
            Flux<ServerSentEvent<String>> data = events
                    .map(event -> ServerSentEvent.builder(toJson(event)).build())
                    .doOnNext(frame -> silence.frameSent())
                    .doOnComplete(silence::end);
            return Flux.merge(data, silence.keepalives());
        }).startWith(KEEPALIVE);
    }

    public String toJson(ChatEvent event) {
        return json.writeValueAsString(event);
    }

    /**
     * One stream's keepalives: one after every {@code keepalive} without a frame, from one timer that is re-armed
     * only when it fires (for the time left since the last frame); a timer restarted by every frame would cost a
     * schedule and a cancel per token. They end when the data ends; one that raced with the end is harmless.
     */
    private final class Silence {

        private final long periodNanos = keepalive.toNanos();
        private volatile long lastFrameAt = now();
        private volatile FluxSink<ServerSentEvent<String>> emitter;
        private volatile boolean ended;

        void frameSent() {
            lastFrameAt = now();
        }

        void end() {
            ended = true;
            FluxSink<ServerSentEvent<String>> current = emitter;
            if (current != null) {
                current.complete();
            }
        }

        Flux<ServerSentEvent<String>> keepalives() {
            return Flux.create(sink -> {
                Scheduler.Worker worker = timer.createWorker();
                sink.onDispose(worker);
                emitter = sink;
                if (ended) {
                    sink.complete();
                    return;
                }
                worker.schedule(() -> fire(sink, worker), periodNanos, TimeUnit.NANOSECONDS);
            });
        }

        private void fire(FluxSink<ServerSentEvent<String>> sink, Scheduler.Worker worker) {
            long quiet = now() - lastFrameAt;
            if (quiet >= periodNanos) {
                sink.next(KEEPALIVE);
                worker.schedule(() -> fire(sink, worker), periodNanos, TimeUnit.NANOSECONDS);
            } else {
                worker.schedule(() -> fire(sink, worker), periodNanos - quiet, TimeUnit.NANOSECONDS);
            }
        }

        private long now() {
            return timer.now(TimeUnit.NANOSECONDS);
        }
    }
}
