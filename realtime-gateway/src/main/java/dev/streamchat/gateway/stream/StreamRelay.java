package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.StreamPayloads;
import dev.streamchat.gateway.socket.UserEvents;
import dev.streamchat.gateway.socket.UserSocketLoops;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays one ai-service stream to the user's room: {@code chat-stream-start}, tokens with seq 1..n (each encoded
 * once for every socket), then exactly one final event. The reply is accumulated here; how the stream ends (save,
 * quota, which final event) is {@link StreamEndings}'s business, so this class knows nothing of MongoDB or quotas.
 * Tokens go to sockets at once; the resume log in Redis is fed by {@link ResumeFlusher}, so nothing on the token path
 * waits for Redis. Stop, the timeouts and a session delete dispose the upstream subscription, which closes the
 * ai-service connection.
 */
@Component
public class StreamRelay {

    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

    private final AiServiceClient ai;
    private final UserEvents events;
    private final UserSocketLoops socketLoops;
    private final StreamListeners listeners;
    private final StreamEndings endings;
    private final StreamStore store;
    private final ActiveStreams active;
    private final StreamProperties properties;
    private final AiServiceProperties aiProperties;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Timer firstToken;
    private final DistributionSummary tokensPerStream;
    private final Counter tokensRelayed;
    private volatile Runnable flushNow = () -> { };

    StreamRelay(AiServiceClient ai, UserEvents events, UserSocketLoops socketLoops, StreamListeners listeners, StreamEndings endings, StreamStore store, ActiveStreams active,
                StreamProperties properties, AiServiceProperties aiProperties, JsonMapper json, MeterRegistry meters) {
        this.ai = ai;
        this.events = events;
        this.socketLoops = socketLoops;
        this.listeners = listeners;
        this.endings = endings;
        this.store = store;
        this.active = active;
        this.properties = properties;
        this.aiProperties = aiProperties;
        this.json = json;
        this.meters = meters;
        this.firstToken = Timer.builder("chat.stream.first.token").description("Time from the chat request to the first token")
                .publishPercentileHistogram().register(meters);
        this.tokensPerStream = DistributionSummary.builder("chat.stream.tokens").description("Tokens relayed per stream")
                .register(meters);
        this.tokensRelayed = Counter.builder("chat.stream.tokens.relayed").description("Tokens relayed to sockets")
                .register(meters);
    }

    void onFlushRequest(Runnable flushNow) {
        this.flushNow = flushNow;
    }

    /**
     * Starts a stream that {@link StreamRegistry#claim} recorded: calls the ai-service and completes once it answered
     * 2xx (then {@code chat-stream-start} has been emitted). Otherwise, within the status deadline, fails with 503
     * {@code unavailable}; the caller gives back the claim ({@link StreamRegistry#release}: record, lock, lease) and
     * the quota.
     */
    public Mono<Void> start(StreamSpec spec) {
        RunningStream stream = new RunningStream(spec);
        return Mono.defer(() -> {
                    active.add(stream);
                    // Read on the loop of the user's socket here, so its tokens are written to it inline.
                    stream.upstream = ai.stream(spec.aiRequest(), socketLoops.loopOf(spec.userId()),
                                    () -> onAccepted(stream), event -> onEvent(stream, event))
                            .subscribe(null, error -> onError(stream, error), () -> onComplete(stream));
                    Duration deadline = properties.enableStreaming() ? aiProperties.statusTimeout()
                            : properties.overallLimit();
                    return stream.accepted.asMono()
                            .timeout(deadline, Mono.defer(() -> {
                                if (stream.state.compareAndSet(RunningStream.PENDING, RunningStream.ABORTED)) {
                                    return Mono.error(new AiServiceUnavailableException("no status in time", 0, null));
                                }
                                return Mono.empty(); // accepted at the last moment
                            }));
                })
                .onErrorResume(error -> {
                    if (stream.state.compareAndSet(RunningStream.PENDING, RunningStream.ABORTED)
                            || stream.state.get() == RunningStream.ABORTED) {
                        dispose(stream);
                        active.remove(stream);
                        log.info("stream refused sessionId={} streamId={} reason={}", spec.sessionId(), spec.streamId(),
                                error.getClass().getSimpleName());
                        return Mono.error(unavailable(error));
                    }
                    return Mono.empty();
                });
    }

    private static Throwable unavailable(Throwable error) {
        if (error instanceof ApiException) {
            return error;
        }
        return new ApiException(ErrorCode.UNAVAILABLE, "The answer service is unavailable; try again shortly.",
                Duration.ofSeconds(5), Map.of());
    }

    private void onAccepted(RunningStream stream) {
        if (!stream.state.compareAndSet(RunningStream.PENDING, RunningStream.STARTED)) {
            return;
        }
        emit(stream, SocketEvents.STREAM_START, new StreamPayloads.Started(stream.spec.sessionId(),
                stream.spec.streamId(), stream.spec.messageId(), stream.spec.clientRequestId()));
        stream.overallTimer = Mono.delay(properties.overallLimit())
                .subscribe(t -> fail(stream, ErrorCode.TIMEOUT, "The answer took too long.", "timeout"));
        stream.accepted.tryEmitEmpty();
    }

    private void onEvent(RunningStream stream, AiStreamEvent event) {
        if (event instanceof AiStreamEvent.Token token) {
            relayToken(stream, token.content());
        } else if (event instanceof AiStreamEvent.Progress progress) {
            relayProgress(stream, progress);
        } else if (event instanceof AiStreamEvent.Done done) {
            stream.terminalSeen = true;
            complete(stream, done);
        } else if (event instanceof AiStreamEvent.Failure failure) {
            stream.terminalSeen = true;
            ErrorCode code = upstreamCode(failure.code());
            fail(stream, code, safeMessage(code), code == ErrorCode.TIMEOUT ? "timeout" : "error");
        }
    }

    private void relayToken(RunningStream stream, String content) {
        if (content.isEmpty()) {
            return;
        }
        synchronized (stream) {
            if (stream.state.get() != RunningStream.STARTED) {
                return;
            }
            int room = properties.maxReplyChars() - stream.reply.length();
            if (room <= 0) {
                return; // capped: the rest is neither relayed nor stored
            }
            String token = content.length() > room ? cut(content, room) : content;
            if (token.isEmpty()) {
                return;
            }
            stream.seq++;
            stream.tokenCount++;
            if (stream.tokenCount == 1) {
                stream.firstTokenNanos = System.nanoTime();
                firstToken.record(stream.firstTokenNanos - stream.startNanos, TimeUnit.NANOSECONDS);
            }
            stream.reply.append(token);
            stream.bufferItem(token);
            emit(stream, SocketEvents.STREAM_TOKEN, stream.tokens.encode(stream.seq, token));
        }
        tokensRelayed.increment();
    }

    /**
     * A Deep Research progress event: the next seq of the stream's one seq space, into the resume log (and so to the
     * other nodes) in its place among the tokens, and to the room as {@code chat-stream-progress}. Not part of the reply.
     */
    private void relayProgress(RunningStream stream, AiStreamEvent.Progress progress) {
        synchronized (stream) {
            if (stream.state.get() != RunningStream.STARTED) {
                return;
            }
            stream.seq++;
            stream.bufferItem(new LoggedItems.Progress(progress.iteration(), progress.of(), progress.phase(),
                    progress.title()));
            emit(stream, SocketEvents.STREAM_PROGRESS, new StreamPayloads.Progress(
                    stream.spec.sessionId(), stream.spec.streamId(), stream.seq, progress.iteration(), progress.of(),
                    progress.phase(), progress.title()));
        }
    }

    /** To the user's room (every node) and to this node's plain-SSE listeners of the stream. */
    private void emit(RunningStream stream, String event, Object payload) {
        events.emit(stream.spec.userId(), event, payload);
        listeners.deliver(stream.spec.streamId(), event, payload);
    }

    private static String cut(String text, int length) {
        int end = length;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end);
    }

    private void onError(RunningStream stream, Throwable error) {
        if (stream.state.get() == RunningStream.PENDING) {
            if (stream.state.compareAndSet(RunningStream.PENDING, RunningStream.ABORTED)) {
                stream.accepted.tryEmitError(error);
            }
            return;
        }
        if (error instanceof TimeoutException) {
            // What the connection was doing says which side stalled (counts and flags only, no content).
            log.warn("ai-service stream silent streamId={} {}", stream.spec.streamId(), error.getMessage());
            fail(stream, ErrorCode.TIMEOUT, "The answer service stopped sending.", "timeout");
        } else {
            log.debug("stream upstream failure streamId={}", stream.spec.streamId(), error);
            fail(stream, ErrorCode.UPSTREAM_ERROR, "The answer service connection failed.", "error");
        }
    }

    private void onComplete(RunningStream stream) {
        if (!stream.terminalSeen) {
            fail(stream, ErrorCode.UPSTREAM_ERROR, "The answer service closed the stream early.", "error");
        }
    }

    /** Switches to FINISHING under the stream lock; false when another ending won. */
    private static boolean beginFinish(RunningStream stream) {
        synchronized (stream) {
            return stream.state.compareAndSet(RunningStream.STARTED, RunningStream.FINISHING);
        }
    }

    private void complete(RunningStream stream, AiStreamEvent.Done done) {
        if (beginFinish(stream)) {
            end(stream, endings.completed(ended(stream), done));
        }
    }

    /** Stops a stream relayed by this node: cancel upstream, then the stopped ending (partial reply kept). */
    boolean stop(RunningStream stream) {
        if (!beginFinish(stream)) {
            return false;
        }
        end(stream, endings.stopped(ended(stream)));
        return true;
    }

    /** The session is being deleted: cancel, write nothing, end the stream with an error event. */
    boolean abandon(RunningStream stream) {
        if (!beginFinish(stream)) {
            return false;
        }
        end(stream, endings.failed(ended(stream), ErrorCode.INTERNAL, "The session was deleted.", "stopped"));
        return true;
    }

    /**
     * This node could not renew the stream's lease in time (Redis unreachable or the keys lost): every other node
     * already counts the stream as failed and may have started another in its session, so it ends here too.
     */
    void leaseLost(RunningStream stream) {
        log.warn("stream lease lapsed sessionId={} streamId={}", stream.spec.sessionId(), stream.spec.streamId());
        fail(stream, ErrorCode.UNAVAILABLE, "The answer was interrupted; try again.", "error");
    }

    /** This node is shutting down and the stream did not finish in the drain time: end it retryable elsewhere. */
    void interrupt(RunningStream stream) {
        fail(stream, ErrorCode.UNAVAILABLE, "This server is restarting; try again.", "error");
    }

    private void fail(RunningStream stream, ErrorCode code, String message, String outcome) {
        if (beginFinish(stream)) {
            end(stream, endings.failed(ended(stream), code, message, outcome));
        }
    }

    private static EndedStream ended(RunningStream stream) {
        synchronized (stream) {
            return new EndedStream(stream.spec, stream.reply.toString(), stream.tokenCount, stream.startNanos,
                    stream.firstTokenNanos);
        }
    }

    /** Upstream is cancelled at once; the ending decides the final event, which {@link #finish} records and sends. */
    private void end(RunningStream stream, Mono<FinalEvent> ending) {
        dispose(stream);
        ending.onErrorResume(error -> {
                    log.warn("stream ending failed streamId={} error={}", stream.spec.streamId(), error.toString());
                    return Mono.just(FinalEvent.failed(StreamPayloads.Failed.of(stream.spec.sessionId(),
                            stream.spec.streamId(), ErrorCode.INTERNAL, "The answer could not be finished."), "error"));
                })
                .subscribe(fin -> finish(stream, fin));
    }

    /**
     * Last step of every outcome: the final event goes into the resume log (after every token), then to the
     * user's room; the stream leaves this node's registry. A Redis outage delays the event by at most ~2 s.
     */
    private void finish(RunningStream stream, FinalEvent fin) {
        String event = fin.event();
        Object payload = fin.payload();
        String outcome = fin.outcome();
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("event", event);
        entry.put("payload", payload);
        stream.setFinal(json.writeValueAsString(entry), fin.status(), fin.success());
        flushNow.run();
        stream.finalFlushed.asMono()
                .timeout(Duration.ofSeconds(2))
                // Redis did not take the final entry in time: at least free the session for the next question.
                .onErrorResume(e -> store.unlockSession(stream.spec.sessionId(), stream.spec.streamId())
                        .onErrorResume(x -> Mono.empty()))
                .publishOn(Schedulers.parallel())
                .doFinally(signal -> {
                    emit(stream, event, payload);
                    active.remove(stream);
                    long durationNanos = System.nanoTime() - stream.startNanos;
                    Timer.builder("chat.stream.duration").tag("outcome", outcome)
                            .description("Relay duration by outcome").register(meters)
                            .record(durationNanos, TimeUnit.NANOSECONDS);
                    tokensPerStream.record(stream.tokenCount());
                    log.info("stream finished sessionId={} streamId={} outcome={} tokens={} durationMs={}",
                            stream.spec.sessionId(), stream.spec.streamId(), outcome, stream.tokenCount(),
                            TimeUnit.NANOSECONDS.toMillis(durationNanos));
                })
                .subscribe(null, e -> { });
    }

    /**
     * Cancels what still runs for the stream. After the ai-service's terminal event its body is left to end on its own
     * (it does at once), so that its connection is reused; any other ending closes the connection.
     */
    private static void dispose(RunningStream stream) {
        if (stream.upstream != null && !stream.terminalSeen) {
            stream.upstream.dispose();
        }
        if (stream.overallTimer != null) {
            stream.overallTimer.dispose();
        }
    }

    private static ErrorCode upstreamCode(String code) {
        return switch (code) {
            case "rate_limited" -> ErrorCode.RATE_LIMITED;
            case "timeout" -> ErrorCode.TIMEOUT;
            case "upstream_error" -> ErrorCode.UPSTREAM_ERROR;
            case "unavailable" -> ErrorCode.UNAVAILABLE;
            default -> ErrorCode.INTERNAL;
        };
    }

    private static String safeMessage(ErrorCode code) {
        return switch (code) {
            case RATE_LIMITED -> "The answer service is busy; try again shortly.";
            case TIMEOUT -> "The answer took too long.";
            case UPSTREAM_ERROR, UNAVAILABLE -> "The answer service failed.";
            default -> "The answer could not be produced.";
        };
    }


    String stateJson(StreamSpec spec, String status) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("user_id", spec.userId());
        state.put("session_id", spec.sessionId());
        state.put("stream_id", spec.streamId());
        state.put("started_at", spec.startedAt().toString());
        state.put("status", status);
        return json.writeValueAsString(state);
    }
}
