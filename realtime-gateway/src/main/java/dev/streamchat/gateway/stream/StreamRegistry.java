package dev.streamchat.gateway.stream;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * What the chat REST layer may ask about streams and sessions (any node): the session lock behind 409,
 * sessions handed out before their first save, a stream's record for retry, the caller's running streams,
 * and stopping a session's stream when the session is deleted.
 */
@Component
public class StreamRegistry {

    private final StreamStore store;
    private final ActiveStreams active;
    private final StreamRelay relay;

    StreamRegistry(StreamStore store, ActiveStreams active, StreamRelay relay) {
        this.store = store;
        this.active = active;
        this.relay = relay;
    }

    /** A stream as recorded in Redis (alive while running and for {@code RESUME_TTL_S} after it ended). */
    public record StreamRecord(String streamId, String userId, String sessionId, String messageId, String userMessageId,
                               String question, StreamSpec.Kind kind, String status, long lastSeq, String startedAt) {
        public boolean running() {
            return StreamStore.STATUS_RUNNING.equals(status);
        }
    }

    /**
     * Claims the stream's session lock, lease and user slot and records it as running, in one trip to Redis
     * ({@link StreamStore#claim}); {@code newSessionOwner} names the owner of a new session (else null). A refusal
     * takes nothing. A claimed stream that does not start is given back with {@link #release}.
     */
    public Mono<StreamClaim> claim(StreamSpec spec, String newSessionOwner, int maxStreams) {
        return store.claim(spec, newSessionOwner, maxStreams, relay.stateJson(spec, "in_progress"));
    }

    /** Gives back what {@link #claim} took for a stream that did not start (the quota or the ai-service refused it). */
    public Mono<Void> release(StreamSpec spec) {
        return Mono.whenDelayError(store.discard(spec), store.unlockSession(spec.sessionId(), spec.streamId()));
    }

    public Mono<String> sessionOwner(String sessionId) {
        return store.sessionOwner(sessionId);
    }

    /** The caller's stream record, or empty when unknown, expired or another user's. */
    public Mono<StreamRecord> find(String userId, String streamId) {
        return store.meta(streamId).filter(meta -> userId.equals(meta.get("uid")))
                .map(meta -> record(streamId, meta));
    }

    /** The caller's running streams, with the exact last seq for those this node relays. */
    public Flux<Map<String, Object>> running(String userId) {
        return store.runningOf(userId).map(meta -> {
            StreamRecord record = record(meta.get("streamId"), meta);
            long lastSeq = record.lastSeq();
            RunningStream local = active.get(record.streamId());
            if (local != null) {
                synchronized (local) {
                    lastSeq = local.seq;
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("streamId", record.streamId());
            out.put("sessionId", record.sessionId());
            out.put("messageId", record.messageId());
            out.put("question", record.question());
            out.put("lastSeq", lastSeq);
            out.put("startedAt", record.startedAt());
            return out;
        });
    }

    /**
     * Before a session is deleted: marks it so that no stream writes into it, then cancels its running stream
     * here or asks the owning node to (durable stop flag; the owner's save sees the mark and writes nothing).
     */
    public Mono<Void> endSessionStreams(String userId, String sessionId) {
        return store.markDeleted(sessionId).then(Mono.defer(() -> {
            RunningStream local = active.ofSession(sessionId);
            if (local != null) {
                relay.abandon(local);
                return Mono.empty();
            }
            return store.runningStreamOf(sessionId)
                    .flatMap(streamId -> store.requestStop(userId, streamId))
                    .then();
        })).then(store.forgetSession(sessionId));
    }

    private static StreamRecord record(String streamId, Map<String, String> meta) {
        long top;
        try {
            top = Long.parseLong(meta.getOrDefault("top", "0"));
        } catch (NumberFormatException e) {
            top = 0;
        }
        String userMessageId = meta.get("umsg");
        return new StreamRecord(streamId, meta.get("uid"), meta.get("sess"), meta.get("msg"),
                userMessageId == null || userMessageId.isEmpty() ? null : userMessageId, meta.get("q"),
                StreamSpec.Kind.fromWireName(meta.get("kind")), meta.get("status"), top, meta.get("startedAt"));
    }
}
