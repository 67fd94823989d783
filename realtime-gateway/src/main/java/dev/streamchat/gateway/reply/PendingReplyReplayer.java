package dev.streamchat.gateway.reply;

import java.util.LinkedHashMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.socket.SocketEvents;
import dev.streamchat.gateway.socket.UserEvents;
import dev.streamchat.gateway.stream.PeriodicTask;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Writes the replies MongoDB did not take in time, on whichever node gets to them first: every
 * {@code replayInterval} it claims the due ones atomically (each for a lease, so two nodes never replay the same
 * entry at once), writes each (idempotent), charges it (idempotent), tells the user's sockets
 * {@code chat-session-saved {sessionId, streamId, messageId}} and only then removes it. A failure makes it due
 * again after twice {@code replayInterval} (the claim's lease only covers a node that dies while replaying). Also
 * retries the replies this node keeps in memory because Redis was down as well. A charge-only entry (a whole answer
 * whose session was deleted) is only charged.
 */
@Component
class PendingReplyReplayer extends PeriodicTask {

    private static final Logger log = LoggerFactory.getLogger(PendingReplyReplayer.class);
    private static final int BATCH = 16;

    private final PendingReplies pending;
    private final LocalPendingReplies local;
    private final ReplyWriter writer;
    private final UserEvents events;
    private final ReplyProperties properties;
    private final Counter replayed;

    PendingReplyReplayer(PendingReplies pending, LocalPendingReplies local, ReplyWriter writer, UserEvents events,
                         ReplyProperties properties, MeterRegistry meters) {
        super(Schedulers.newSingle("reply-replayer", true), properties.replayInterval());
        this.pending = pending;
        this.local = local;
        this.writer = writer;
        this.events = events;
        this.properties = properties;
        this.replayed = Counter.builder("gateway.persistence.save.replayed")
                .description("Replies written after MongoDB came back").register(meters);
    }

    /** One pass (also called by tests); passes never overlap. */
    Mono<Void> replayOnce() {
        return onePassAtATime(() -> fromRedis().then(fromMemory()));
    }

    /** Due replies kept in Redis, written to MongoDB. */
    private Mono<Void> fromRedis() {
        return pending.claimDue(BATCH)
                .concatMap(streamId -> pending.get(streamId)
                        .flatMap(reply -> replay(reply).then(pending.remove(streamId)))
                        .switchIfEmpty(pending.remove(streamId).then(Mono.empty()))
                        .onErrorResume(error -> {
                            log.debug("pending reply not written yet streamId={} error={}", streamId, error.toString());
                            return pending.retryIn(streamId, properties.replayInterval().multipliedBy(2))
                                    .onErrorResume(e -> Mono.empty());
                        }))
                .then()
                .onErrorResume(error -> Mono.empty());
    }

    /** Replies this node kept in memory while Redis was down: handed to Redis, or written if it is still down. */
    private Mono<Void> fromMemory() {
        return Flux.fromIterable(local.snapshot())
                // Redis is back: hand it over to every node (or drop it, when its session is being deleted)
                .concatMap(reply -> pending.put(reply)
                        .doOnNext(kept -> {
                            if (!kept) {
                                log.info("pending reply dropped, its session was deleted streamId={}", reply.streamId());
                            }
                        })
                        .then()
                        .doOnSuccess(v -> local.remove(reply.streamId()))
                        .onErrorResume(redisDown -> replay(reply).doOnSuccess(v -> local.remove(reply.streamId())))
                        .onErrorResume(error -> Mono.empty()))
                .then();
    }

    private Mono<Void> replay(PendingReply reply) {
        if (reply.chargeOnly()) {
            // Owed whatever became of the session; nothing to write, nothing to tell the tabs.
            return writer.charge(reply).doOnSuccess(quota -> {
                replayed.increment();
                log.info("pending charge settled sessionId={} streamId={}", reply.sessionId(), reply.streamId());
            }).then();
        }
        return pending.sessionDeleted(reply.sessionId())
                .flatMap(deleted -> {
                    if (deleted) {
                        log.info("pending reply dropped, its session was deleted streamId={}", reply.streamId());
                        return Mono.<Void>empty();
                    }
                    return writer.write(reply)
                            .then(writer.charge(reply))
                            .doOnSuccess(quota -> {
                                replayed.increment();
                                log.info("pending reply saved sessionId={} streamId={}", reply.sessionId(), reply.streamId());
                                Map<String, Object> saved = new LinkedHashMap<>();
                                saved.put("sessionId", reply.sessionId());
                                saved.put("streamId", reply.streamId());
                                saved.put("messageId", reply.messageId());
                                events.emit(reply.userId(), SocketEvents.SESSION_SAVED, saved);
                            })
                            .onErrorResume(ReplyWriter.MessageGone.class, gone -> Mono.empty())
                            .then();
                });
    }

    @Override
    protected void tick() {
        replayOnce().subscribe(null, e -> { });
    }
}
