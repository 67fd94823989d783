package dev.streamchat.gateway.reply;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Saves a finished reply so that it is never lost and never stored or charged twice: first written ahead to Redis
 * ({@link PendingReplies}), then written to MongoDB (idempotent per stream id) with retries and backoff for up to
 * {@code saveWindow}, then charged once, then removed from Redis. When MongoDB does not take it in time the answer
 * is {@code persisted: false} and the reply stays in Redis for {@link PendingReplyReplayer} (on any node). When
 * Redis is down too the reply waits in this node's memory ({@link LocalPendingReplies}) instead.
 */
@Component
public class ReplySaver {

    private static final Logger log = LoggerFactory.getLogger(ReplySaver.class);

    private final PendingReplies pending;
    private final LocalPendingReplies local;
    private final ReplyWriter writer;
    private final ReplyProperties properties;
    private final Timer saveTimer;
    private final Counter deferred;

    ReplySaver(PendingReplies pending, LocalPendingReplies local, ReplyWriter writer, ReplyProperties properties,
               MeterRegistry meters) {
        this.pending = pending;
        this.local = local;
        this.writer = writer;
        this.properties = properties;
        this.saveTimer = Timer.builder("gateway.persistence.save").description("The one MongoDB write of a finished stream")
                .register(meters);
        this.deferred = Counter.builder("gateway.persistence.save.deferred")
                .description("Replies MongoDB did not take in time, kept to be written later").register(meters);
    }

    /**
     * Errors only when nothing may be written: {@link SessionDeleted} when the reply has something to write and its
     * session is being deleted (checked with the write-ahead; when Redis cannot say, the reply is saved: losing it
     * would be worse), {@link ReplyWriter.MessageGone} when the message a new version was for is gone. A reply that
     * cannot be written now is kept and written later ({@code persisted: false}).
     */
    public Mono<SavedReply> save(PendingReply reply) {
        long begin = System.nanoTime();
        return pending.put(reply)
                .map(kept -> kept ? WriteAhead.KEPT : WriteAhead.SESSION_DELETED)
                .onErrorResume(error -> {
                    log.warn("reply write-ahead failed streamId={} error={}", reply.streamId(), error.toString());
                    return Mono.just(WriteAhead.NOT_KEPT);
                })
                .flatMap(writeAhead -> writeAhead == WriteAhead.SESSION_DELETED ? Mono.error(new SessionDeleted())
                        : writeAndCharge(reply, writeAhead == WriteAhead.KEPT, begin));
    }

    private Mono<SavedReply> writeAndCharge(PendingReply reply, boolean ahead, long begin) {
        return writeWithRetries(reply)
                .then(Mono.defer(() -> {
                    saveTimer.record(System.nanoTime() - begin, TimeUnit.NANOSECONDS);
                    return writer.charge(reply)
                            .flatMap(quota -> forget(reply, ahead).thenReturn(new SavedReply(true, quota)))
                            // Stored but not charged yet: the kept entry charges it later (once).
                            .onErrorResume(error -> {
                                log.warn("charge after save failed streamId={} error={}", reply.streamId(),
                                        error.toString());
                                if (!ahead) {
                                    local.add(reply);
                                }
                                return Mono.just(new SavedReply(true, null));
                            });
                }))
                .onErrorResume(ReplyWriter.MessageGone.class, gone -> forget(reply, ahead).then(Mono.error(gone)))
                .onErrorResume(error -> error instanceof ReplyWriter.MessageGone ? Mono.error(error)
                        : keep(reply, ahead, error));
    }

    private Mono<Void> writeWithRetries(PendingReply reply) {
        Duration window = properties.saveWindow();
        return writer.write(reply)
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(250)).maxBackoff(Duration.ofSeconds(2))
                        .filter(error -> !(error instanceof ReplyWriter.MessageGone)))
                .timeout(window);
    }

    private Mono<SavedReply> keep(PendingReply reply, boolean ahead, Throwable error) {
        deferred.increment();
        log.warn("reply save deferred streamId={} sessionId={} error={}", reply.streamId(), reply.sessionId(),
                error.getClass().getSimpleName());
        if (!ahead) {
            local.add(reply);
        }
        return Mono.just(new SavedReply(false, null));
    }

    /** What the write-ahead to Redis did. */
    private enum WriteAhead { KEPT, NOT_KEPT, SESSION_DELETED }

    /** The session was deleted while its stream ran: nothing may be written. */
    static final class SessionDeleted extends RuntimeException {
        SessionDeleted() {
            super("session deleted", null, false, false);
        }
    }

    private Mono<Void> forget(PendingReply reply, boolean ahead) {
        if (!ahead) {
            return Mono.empty();
        }
        // Left behind on failure: the replayer finds it stored and charged, and only removes it.
        return pending.remove(reply.streamId()).onErrorResume(e -> Mono.empty());
    }
}
