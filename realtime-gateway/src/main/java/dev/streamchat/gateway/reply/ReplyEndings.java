package dev.streamchat.gateway.reply;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.ChatSessionStore;
import dev.streamchat.gateway.persistence.StoredReply;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.quota.QuotaSnapshot;
import dev.streamchat.gateway.socket.StreamPayloads;
import dev.streamchat.gateway.stream.AiStreamEvent;
import dev.streamchat.gateway.stream.EndedStream;
import dev.streamchat.gateway.stream.FinalEvent;
import dev.streamchat.gateway.stream.SessionTombstones;
import dev.streamchat.gateway.stream.StreamEndings;
import dev.streamchat.gateway.stream.StreamSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

/**
 * The one place where a stream's ending is settled: a completed reply is written once to MongoDB and counted
 * against the quota, a stopped one is written flagged and not counted, a failed one writes nothing and gives the
 * reservation back. Then it names the final event ({@code chat-stream-complete} only after the save succeeded).
 * A session deleted meanwhile gets nothing written. Never fails: a failed save becomes {@code chat-stream-error}.
 */
@Component
class ReplyEndings implements StreamEndings {

    private static final Logger log = LoggerFactory.getLogger(ReplyEndings.class);

    private final ChatSessionStore sessions;
    private final FreeTierQuota quota;
    private final SessionTombstones tombstones;
    private final Timer saveTimer;

    ReplyEndings(ChatSessionStore sessions, FreeTierQuota quota, SessionTombstones tombstones, MeterRegistry meters) {
        this.sessions = sessions;
        this.quota = quota;
        this.tombstones = tombstones;
        this.saveTimer = Timer.builder("gateway.persistence.save").description("The one MongoDB write of a finished stream")
                .register(meters);
    }

    @Override
    public Mono<FinalEvent> completed(EndedStream stream, AiStreamEvent.Done done) {
        StoredReply reply = new StoredReply(stream.reply(), done.citations(), done.chunkReferences(), done.usage(),
                done.route(), done.provider(), false, done.contextTrimmed());
        return save(stream.spec(), reply)
                .then(Mono.defer(() -> commitQuota(stream.spec())))
                .map(snapshot -> FinalEvent.completed(completed(stream, reply, snapshot.orElse(null)), "complete"))
                .onErrorResume(error -> error instanceof SessionDeletedException
                        ? chargeDeletedAnswer(stream) : afterSaveFailure(stream, error));
    }

    /**
     * The whole answer reached the user but its session was deleted before the save (a delete racing the end, or
     * one that came while the stream was still waiting for the ai-service's status): nothing is written, but the
     * answer counts like any completed reply, so deleting a session can never buy a free answer.
     */
    private Mono<FinalEvent> chargeDeletedAnswer(EndedStream stream) {
        StreamSpec spec = stream.spec();
        return commitQuota(spec).onErrorResume(e -> Mono.empty()).then(Mono.fromSupplier(() -> FinalEvent.failed(
                StreamPayloads.Failed.of(spec.sessionId(), spec.streamId(), ErrorCode.INTERNAL, "The session was deleted."),
                "stopped")));
    }

    @Override
    public Mono<FinalEvent> stopped(EndedStream stream) {
        StoredReply reply = new StoredReply(stream.reply(), List.of(), List.of(), null, null, null, true, false);
        StreamSpec spec = stream.spec();
        return save(spec, reply)
                .then(release(spec))
                .then(quota.snapshot(spec.user()).onErrorResume(e -> Mono.empty()))
                .map(snapshot -> FinalEvent.completed(completed(stream, reply, snapshot), "stopped"))
                .switchIfEmpty(Mono.fromSupplier(() -> FinalEvent.completed(completed(stream, reply, null), "stopped")))
                .onErrorResume(error -> afterSaveFailure(stream, error));
    }

    @Override
    public Mono<FinalEvent> failed(EndedStream stream, ErrorCode code, String message, String outcome) {
        StreamSpec spec = stream.spec();
        return release(spec).then(Mono.fromSupplier(() -> FinalEvent.failed(
                StreamPayloads.Failed.of(spec.sessionId(), spec.streamId(), code, message), outcome)));
    }

    private Mono<FinalEvent> afterSaveFailure(EndedStream stream, Throwable error) {
        if (error instanceof SessionDeletedException) {
            return failed(stream, ErrorCode.INTERNAL, "The session was deleted.", "stopped");
        }
        log.warn("stream save failed sessionId={} streamId={} error={}", stream.spec().sessionId(),
                stream.spec().streamId(), error.getClass().getSimpleName());
        return failed(stream, ErrorCode.UNAVAILABLE, "The reply could not be saved.", "error");
    }

    /**
     * Counts the saved reply. The reply is already stored, so a failure here must not turn the stream into an
     * error: the reservation is released (the count errs in the user's favour) and the quota is left out.
     */
    private Mono<java.util.Optional<QuotaSnapshot>> commitQuota(StreamSpec spec) {
        return quota.commit(spec.user(), spec.streamId())
                .map(java.util.Optional::of)
                .onErrorResume(error -> {
                    log.warn("quota update failed after save sessionId={} streamId={} error={}", spec.sessionId(),
                            spec.streamId(), error.getClass().getSimpleName());
                    return release(spec).thenReturn(java.util.Optional.empty());
                });
    }

    private Mono<Void> release(StreamSpec spec) {
        return quota.release(spec.user(), spec.streamId()).onErrorResume(e -> Mono.empty());
    }

    private Mono<Void> save(StreamSpec spec, StoredReply reply) {
        Instant now = Instant.now();
        Mono<Void> write = spec.kind() == StreamSpec.Kind.NEW_VERSION
                ? sessions.addVersion(spec.sessionId(), spec.userId(), spec.messageId(), reply, now)
                        .flatMap(found -> found ? Mono.<Void>empty()
                                : Mono.error(new IllegalStateException("message to version is gone")))
                : sessions.appendExchange(spec.sessionId(), spec.userId(), spec.question(), spec.userMessageId(),
                        spec.messageId(), reply, now);
        return tombstones.isDeleted(spec.sessionId())
                .flatMap(deleted -> deleted ? Mono.error(new SessionDeletedException()) : Mono.defer(() -> {
                    long begin = System.nanoTime();
                    return write.doOnSuccess(v -> saveTimer.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS));
                }));
    }

    private static StreamPayloads.Completed completed(EndedStream stream, StoredReply reply, QuotaSnapshot snapshot) {
        StreamSpec spec = stream.spec();
        return new StreamPayloads.Completed(spec.sessionId(), spec.streamId(), spec.messageId(), reply.content(),
                reply.citations(), reply.chunkReferences(), reply.usage(), reply.stopped(), reply.contextTrimmed(),
                snapshot == null ? null : snapshot.toJson(), stream.timingNow());
    }

    /** The session was deleted while its stream ran: nothing may be written. */
    static final class SessionDeletedException extends RuntimeException {
        SessionDeletedException() {
            super("session deleted", null, false, false);
        }
    }
}
