package dev.streamchat.gateway.sse;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.socket.StreamCommands.ResumeStatus;
import dev.streamchat.gateway.stream.StreamListeners;
import dev.streamchat.gateway.stream.StreamProperties;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import tools.jackson.databind.json.JsonMapper;

/**
 * A chat stream as a plain {@code text/event-stream} HTTP response, for clients that do not speak Socket.IO. It adds
 * no second relay: the response listens to the stream's events on this node ({@link StreamListeners}: the relay's own,
 * or the fan-out's for a stream another node runs) and a resume replays the Redis log through
 * {@link StreamCommands#resume}, exactly as {@code chat-resume} does for a socket. The stream stays the user's:
 * sockets get every event as usual, and a response that ends (client gone, slow reader dropped) stops nothing.
 */
@Component
public class SseStreams {

    private static final Logger log = LoggerFactory.getLogger(SseStreams.class);

    private final StreamListeners listeners;
    private final StreamCommands commands;
    private final UserChannels channels;
    private final SseProperties properties;
    private final Duration maxDuration;
    private final JsonMapper json;
    private final Counter dropped;

    SseStreams(StreamListeners listeners, StreamCommands commands, UserChannels channels, SseProperties properties,
               StreamProperties streams, JsonMapper json, MeterRegistry meters) {
        this.listeners = listeners;
        this.commands = commands;
        this.channels = channels;
        this.properties = properties;
        // A response never outlives its stream's own bound by much (a lost final event cannot hold it open).
        this.maxDuration = streams.overallLimit().plusSeconds(10);
        this.json = json;
        this.dropped = Counter.builder("gateway.sse.dropped")
                .description("Plain-SSE responses closed because the client did not read").register(meters);
    }

    /**
     * Starts a stream and answers it as SSE. {@code start} runs the usual start path; it must call the given consumer
     * with the new stream's id before the stream can emit anything (so {@code start} is not missed), and fail as it
     * would for {@code /chat/new} (then nothing was written and the error becomes problem+json).
     */
    public Mono<Void> startAndWrite(ServerHttpResponse response, Function<Consumer<String>, Mono<?>> start) {
        AtomicReference<SseSubscriber> subscriber = new AtomicReference<>();
        Consumer<String> beforeStart = streamId -> {
            SseSubscriber created = new SseSubscriber(streamId, json, properties.maxBufferedEvents(),
                    properties.keepalive(), false, 0);
            Runnable stopListening = listeners.listen(streamId, created);
            created.onClose(stopListening);
            SseSubscriber previous = subscriber.getAndSet(created);
            if (previous != null) {
                previous.close();
            }
        };
        return start.apply(beforeStart)
                .doOnError(error -> closeQuietly(subscriber.get()))
                .doOnCancel(() -> closeQuietly(subscriber.get()))
                .then(Mono.defer(() -> {
                    SseSubscriber created = subscriber.get();
                    if (created == null) {
                        return Mono.error(new IllegalStateException("the stream started without announcing its id"));
                    }
                    return write(response, created);
                }));
    }

    /**
     * Resumes the caller's stream from {@code afterSeq}: 404 {@code not_found} for an unknown, expired or another
     * user's stream (nothing written); else the events after {@code afterSeq}, then the live ones, then the final
     * event (re-sent for a stream that ended within {@code RESUME_TTL_S}). Works on any node: the node subscribes to
     * the user's fan-out channel before the log is read, so the replay and the live events together miss nothing.
     */
    public Mono<Void> resumeAndWrite(ServerHttpResponse response, String userId, String streamId, long afterSeq) {
        SseSubscriber subscriber = new SseSubscriber(streamId, json, properties.maxBufferedEvents(),
                properties.keepalive(), true, afterSeq);
        Runnable stopListening = listeners.listen(streamId, subscriber);
        channels.join(userId);
        subscriber.onClose(() -> {
            stopListening.run();
            channels.leave(userId);
        });
        Sinks.One<ResumeStatus> status = Sinks.one();
        commands.resume(userId, streamId, afterSeq, status::tryEmitValue, subscriber::replayed)
                .subscribe(ended -> subscriber.replayDone(ended == ResumeStatus.ERROR),
                        error -> {
                            status.tryEmitError(error);
                            log.warn("sse resume failed streamId={} error={}", streamId, error.toString());
                            subscriber.replayDone(true);
                        });
        return status.asMono()
                .onErrorMap(error -> error instanceof ApiException ? error
                        : new ApiException(ErrorCode.UNAVAILABLE, "Stream state is unavailable; try again shortly.",
                                Duration.ofSeconds(2), java.util.Map.of()))
                .flatMap(found -> found == ResumeStatus.UNKNOWN
                        ? Mono.<Void>error(new ApiException(ErrorCode.NOT_FOUND, "No such stream, or it expired."))
                        : write(response, subscriber))
                .doOnError(error -> subscriber.close())
                .doOnCancel(subscriber::close);
    }

    private Mono<Void> write(ServerHttpResponse response, SseSubscriber subscriber) {
        response.setStatusCode(HttpStatus.OK);
        HttpHeaders headers = response.getHeaders();
        headers.setContentType(MediaType.TEXT_EVENT_STREAM);
        headers.setCacheControl("no-cache");
        headers.set("X-Accel-Buffering", "no");
        return response.writeAndFlushWith(subscriber.frames(properties.keepalive(), maxDuration)
                        .doOnError(SseSubscriber.SlowReader.class, e -> {
                            dropped.increment();
                            log.info("sse reader dropped (not reading) {}", subscriber.describe());
                        })
                        .map(frame -> Mono.just(response.bufferFactory().wrap(frame))));
    }

    private static void closeQuietly(SseSubscriber subscriber) {
        if (subscriber != null) {
            subscriber.close();
        }
    }
}
