package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
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

import dev.streamchat.gateway.chat.ChatProperties;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.ChatSessionStore;
import dev.streamchat.gateway.persistence.StoredReply;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.quota.QuotaSnapshot;
import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.UserEvents;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays one ai-service stream to the user's room: {@code chat-stream-start}, tokens with seq 1..n, then
 * exactly one {@code chat-stream-complete} (after the single MongoDB write and the quota update) or
 * {@code chat-stream-error}. The reply is accumulated here and written once on {@code done} or stop; a
 * failed, timed-out or dropped stream writes nothing. Tokens go to sockets at once; the resume log in Redis
 * is fed by {@link ResumeFlusher}, so nothing on the token path waits for Redis. Stop, the timeouts and a
 * session delete dispose the upstream subscription, which closes the ai-service connection.
 */
@Component
public class StreamRelay {

    private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

    private final AiServiceClient ai;
    private final UserEvents events;
    private final ChatSessionStore sessions;
    private final FreeTierQuota quota;
    private final StreamStore store;
    private final ActiveStreams active;
    private final StreamProperties properties;
    private final AiServiceProperties aiProperties;
    private final ChatProperties chatProperties;
    private final JsonMapper json;
    private final MeterRegistry meters;
    private final Timer firstToken;
    private final Timer saveTimer;
    private final DistributionSummary tokensPerStream;
    private final Counter tokensRelayed;
    private volatile Runnable flushNow = () -> { };

    StreamRelay(AiServiceClient ai, UserEvents events, ChatSessionStore sessions, FreeTierQuota quota, StreamStore store,
                ActiveStreams active, StreamProperties properties, AiServiceProperties aiProperties,
                ChatProperties chatProperties, JsonMapper json, MeterRegistry meters) {
        this.ai = ai;
        this.events = events;
        this.sessions = sessions;
        this.quota = quota;
        this.store = store;
        this.active = active;
        this.properties = properties;
        this.aiProperties = aiProperties;
        this.chatProperties = chatProperties;
        this.json = json;
        this.meters = meters;
        this.firstToken = Timer.builder("chat.stream.first.token").description("Time from the chat request to the first token")
                .publishPercentileHistogram().register(meters);
        this.saveTimer = Timer.builder("gateway.persistence.save").description("The one MongoDB write of a finished stream")
                .register(meters);
        this.tokensPerStream = DistributionSummary.builder("chat.stream.tokens").description("Tokens relayed per stream")
                .register(meters);
        this.tokensRelayed = Counter.builder("chat.stream.tokens.relayed").description("Tokens relayed to sockets")
                .register(meters);
    }

    void onFlushRequest(Runnable flushNow) {
        this.flushNow = flushNow;
    }

    /**
     * Starts a stream: records it in Redis, calls the ai-service and completes once the ai-service answered
     * 2xx (then {@code chat-stream-start} has been emitted). Otherwise, within the status deadline, fails with
     * 503 {@code unavailable} and leaves nothing behind (the caller releases the quota and the session lock).
     */
    public Mono<Void> start(StreamSpec spec) {
        RunningStream stream = new RunningStream(spec);
        return store.open(spec, stateJson(spec, "in_progress"))
                .then(Mono.defer(() -> {
                    active.add(stream);
                    stream.upstream = ai.stream(spec.aiRequest(), () -> onAccepted(stream))
                            .subscribe(event -> onEvent(stream, event), error -> onError(stream, error),
                                    () -> onComplete(stream));
                    Duration deadline = properties.enableStreaming() ? aiProperties.statusTimeout()
                            : properties.overallLimit();
                    return stream.accepted.asMono()
                            .timeout(deadline, Mono.defer(() -> {
                                if (stream.state.compareAndSet(RunningStream.PENDING, RunningStream.ABORTED)) {
                                    return Mono.error(new AiServiceUnavailableException("no status in time", 0, null));
                                }
                                return Mono.empty(); // accepted at the last moment
                            }));
                }))
                .onErrorResume(error -> {
                    if (stream.state.compareAndSet(RunningStream.PENDING, RunningStream.ABORTED)
                            || stream.state.get() == RunningStream.ABORTED) {
                        dispose(stream);
                        active.remove(stream);
                        log.info("stream refused sessionId={} streamId={} reason={}", spec.sessionId(), spec.streamId(),
                                error.getClass().getSimpleName());
                        return store.discard(spec).onErrorResume(e -> Mono.empty())
                                .then(Mono.error(unavailable(error)));
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
        events.emit(stream.spec.userId(), SocketEvents.STREAM_START, StreamPayloads.start(stream.spec));
        stream.overallTimer = Mono.delay(properties.overallLimit())
                .subscribe(t -> fail(stream, ErrorCode.TIMEOUT, "The answer took too long.", "timeout"));
        stream.accepted.tryEmitEmpty();
    }

    private void onEvent(RunningStream stream, AiStreamEvent event) {
        if (event instanceof AiStreamEvent.Token token) {
            relayToken(stream, token.content());
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
            int room = chatProperties.maxReplyChars() - stream.reply.length();
            if (room <= 0) {
                return; // capped: the rest is neither relayed nor stored
            }
            String token = content.length() > room ? cut(content, room) : content;
            if (token.isEmpty()) {
                return;
            }
            stream.seq++;
            if (stream.seq == 1) {
                stream.firstTokenNanos = System.nanoTime();
                firstToken.record(stream.firstTokenNanos - stream.startNanos, TimeUnit.NANOSECONDS);
            }
            stream.reply.append(token);
            stream.bufferToken(token);
            events.emit(stream.spec.userId(), SocketEvents.STREAM_TOKEN,
                    StreamPayloads.token(stream.spec.sessionId(), stream.spec.streamId(), stream.seq, token));
        }
        tokensRelayed.increment();
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
        if (!beginFinish(stream)) {
            return;
        }
        dispose(stream);
        StoredReply reply = new StoredReply(stream.replyText(), done.citations(), done.chunkReferences(), done.usage(),
                done.route(), done.provider(), false, done.contextTrimmed());
        save(stream, reply)
                .then(Mono.defer(() -> commitQuota(stream)))
                .map(q -> completePayload(stream, reply, q.orElse(null)))
                .subscribe(payload -> finish(stream, SocketEvents.STREAM_COMPLETE, payload, "complete", true, "complete"),
                        error -> {
                            if (error instanceof SessionDeletedException) {
                                chargeDeletedAnswer(stream);
                            } else {
                                afterSaveFailure(stream, error);
                            }
                        });
    }

    /**
     * The whole answer reached the user but its session was deleted before the save (a delete racing the end, or
     * one that came while the stream was still waiting for the ai-service's status): nothing is written, but the
     * answer counts like any completed reply, so deleting a session can never buy a free answer.
     */
    private void chargeDeletedAnswer(RunningStream stream) {
        commitQuota(stream).onErrorResume(e -> Mono.empty())
                .subscribe(null, e -> { }, () -> finish(stream, SocketEvents.STREAM_ERROR,
                        StreamPayloads.error(stream.spec, ErrorCode.INTERNAL, "The session was deleted."), "error", false,
                        "stopped"));
    }

    /**
     * Counts the saved reply. The reply is already stored, so a failure here must not turn the stream into an
     * error: the reservation is released (the count errs in the user's favour) and the quota is left out.
     */
    private Mono<java.util.Optional<QuotaSnapshot>> commitQuota(RunningStream stream) {
        return quota.commit(stream.spec.user(), stream.spec.streamId())
                .map(java.util.Optional::of)
                .onErrorResume(error -> {
                    log.warn("quota update failed after save sessionId={} streamId={} error={}", stream.spec.sessionId(),
                            stream.spec.streamId(), error.getClass().getSimpleName());
                    return quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty())
                            .thenReturn(java.util.Optional.empty());
                });
    }

    /** Stops a stream relayed by this node: cancel upstream, save the partial reply flagged, do not charge. */
    boolean stop(RunningStream stream) {
        if (!beginFinish(stream)) {
            return false;
        }
        dispose(stream);
        StoredReply reply = new StoredReply(stream.replyText(), List.of(), List.of(), null, null, null, true, false);
        save(stream, reply)
                .then(quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty()))
                .then(quota.snapshot(stream.spec.user()).onErrorResume(e -> Mono.empty()))
                .map(q -> completePayload(stream, reply, q))
                .switchIfEmpty(Mono.fromSupplier(() -> completePayload(stream, reply, null)))
                .subscribe(payload -> finish(stream, SocketEvents.STREAM_COMPLETE, payload, "stopped", true, "stopped"),
                        error -> afterSaveFailure(stream, error));
        return true;
    }

    /** The session is being deleted: cancel, write nothing, end the stream with an error event. */
    boolean abandon(RunningStream stream) {
        if (!beginFinish(stream)) {
            return false;
        }
        dispose(stream);
        quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty())
                .subscribe(null, e -> { }, () -> finish(stream, SocketEvents.STREAM_ERROR,
                        StreamPayloads.error(stream.spec, ErrorCode.INTERNAL, "The session was deleted."), "error", false,
                        "stopped"));
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

    private void fail(RunningStream stream, ErrorCode code, String message, String outcome) {
        if (!beginFinish(stream)) {
            return;
        }
        dispose(stream);
        quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty())
                .subscribe(null, e -> { }, () -> finish(stream, SocketEvents.STREAM_ERROR,
                        StreamPayloads.error(stream.spec, code, message), "error", false, outcome));
    }

    private void afterSaveFailure(RunningStream stream, Throwable error) {
        if (error instanceof SessionDeletedException) {
            quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty())
                    .subscribe(null, e -> { }, () -> finish(stream, SocketEvents.STREAM_ERROR,
                            StreamPayloads.error(stream.spec, ErrorCode.INTERNAL, "The session was deleted."), "error",
                            false, "stopped"));
            return;
        }
        log.warn("stream save failed sessionId={} streamId={} error={}", stream.spec.sessionId(), stream.spec.streamId(),
                error.getClass().getSimpleName());
        quota.release(stream.spec.user(), stream.spec.streamId()).onErrorResume(e -> Mono.empty())
                .subscribe(null, e -> { }, () -> finish(stream, SocketEvents.STREAM_ERROR,
                        StreamPayloads.error(stream.spec, ErrorCode.UNAVAILABLE, "The reply could not be saved."), "error",
                        false, "error"));
    }

    private Mono<Void> save(RunningStream stream, StoredReply reply) {
        StreamSpec spec = stream.spec;
        Instant now = Instant.now();
        Mono<Void> write = spec.kind() == StreamSpec.Kind.NEW_VERSION
                ? sessions.addVersion(spec.sessionId(), spec.userId(), spec.messageId(), reply, now)
                        .flatMap(found -> found ? Mono.<Void>empty()
                                : Mono.error(new IllegalStateException("message to version is gone")))
                : sessions.appendExchange(spec.sessionId(), spec.userId(), spec.question(), spec.userMessageId(),
                        spec.messageId(), reply, now);
        return store.isDeleted(spec.sessionId())
                .flatMap(deleted -> deleted ? Mono.error(new SessionDeletedException()) : Mono.defer(() -> {
                    long begin = System.nanoTime();
                    return write.doOnSuccess(v -> saveTimer.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS));
                }));
    }

    private Map<String, Object> completePayload(RunningStream stream, StoredReply reply, QuotaSnapshot quotaSnapshot) {
        long now = System.nanoTime();
        long durationMs = TimeUnit.NANOSECONDS.toMillis(now - stream.startNanos);
        long tokens = stream.tokenCount();
        Long firstTokenMs = stream.firstTokenNanos == 0 ? null
                : TimeUnit.NANOSECONDS.toMillis(stream.firstTokenNanos - stream.startNanos);
        double tokensPerSecond = 0;
        if (stream.firstTokenNanos != 0) {
            double seconds = (now - stream.firstTokenNanos) / 1e9;
            tokensPerSecond = seconds > 0 ? Math.round(tokens / seconds * 10) / 10.0 : tokens;
        }
        Map<String, Object> timing = new LinkedHashMap<>();
        timing.put("firstTokenMs", firstTokenMs);
        timing.put("durationMs", durationMs);
        timing.put("tokensPerSecond", tokensPerSecond);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sessionId", stream.spec.sessionId());
        p.put("streamId", stream.spec.streamId());
        p.put("messageId", stream.spec.messageId());
        p.put("content", reply.content());
        p.put("citations", reply.citations());
        p.put("chunkReferences", reply.chunkReferences());
        p.put("usage", reply.usage());
        p.put("stopped", reply.stopped());
        p.put("contextTrimmed", reply.contextTrimmed());
        p.put("quota", quotaSnapshot == null ? null : quotaSnapshot.toJson());
        p.put("timing", timing);
        return p;
    }

    /**
     * Last step of every outcome: the final event goes into the resume log (after every token), then to the
     * user's room; the stream leaves this node's registry. A Redis outage delays the event by at most ~2 s.
     */
    private void finish(RunningStream stream, String event, Map<String, Object> payload, String status, boolean success,
                        String outcome) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("event", event);
        entry.put("payload", payload);
        stream.setFinal(json.writeValueAsString(entry), status, success);
        flushNow.run();
        stream.finalFlushed.asMono()
                .timeout(Duration.ofSeconds(2))
                // Redis did not take the final entry in time: at least free the session for the next question.
                .onErrorResume(e -> store.unlockSession(stream.spec.sessionId(), stream.spec.streamId())
                        .onErrorResume(x -> Mono.empty()))
                .publishOn(Schedulers.parallel())
                .doFinally(signal -> {
                    events.emit(stream.spec.userId(), event, payload);
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

    private static void dispose(RunningStream stream) {
        if (stream.upstream != null) {
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

    /** The session was deleted while its stream ran: nothing may be written. */
    static final class SessionDeletedException extends RuntimeException {
        SessionDeletedException() {
            super("session deleted", null, false, false);
        }
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
