package dev.streamchat.ai.stream;

import java.time.Duration;

import org.springframework.http.codec.ServerSentEvent;

import reactor.core.publisher.Flux;
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
        Flux<ServerSentEvent<String>> data = events.map(event -> ServerSentEvent.builder(toJson(event)).build());
        return withKeepalives(data).startWith(KEEPALIVE);
    }

    public String toJson(ChatEvent event) {
        return json.writeValueAsString(event);
    }

    private Flux<ServerSentEvent<String>> withKeepalives(Flux<ServerSentEvent<String>> data) {
        return data.publish(shared -> {
            // Every frame restarts the silence timer. Keepalives stop when the data ends; losing one that raced
            // with the end is harmless, whereas cutting the data short would not be, so only keepalives are cut.
            Flux<ServerSentEvent<String>> keepalives = shared.map(frame -> 0L).startWith(0L)
                    .switchMap(reset -> Flux.interval(keepalive, keepalive, timer).map(tick -> KEEPALIVE))
                    .takeUntilOther(shared.then());
            return Flux.merge(shared, keepalives);
        });
    }
}
