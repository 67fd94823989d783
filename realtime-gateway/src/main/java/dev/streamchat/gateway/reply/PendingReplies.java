package dev.streamchat.gateway.reply;

import java.util.List;

import io.lettuce.core.ScriptOutputType;

import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.stream.SessionTombstones;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Replies waiting for MongoDB, kept in Redis: {@code chat:reply:{streamId}} holds the reply (JSON, TTL
 * {@code pendingTtl}) and the sorted set {@code chat:reply:pending} the stream ids by the time they are next due.
 * Written ahead of the MongoDB write and removed only after it (and the charge) succeeded, so a node that dies in
 * between leaves the reply for another node. A claim pushes the due time out by a lease, so one node at a time
 * replays an entry. Every key has a TTL.
 */
@Component
class PendingReplies {

    static final String INDEX = "chat:reply:pending";
    static final long CLAIM_LEASE_MS = 30_000;

    /**
     * KEYS: reply, index, the session's deletion mark; ARGV: json, ttlMs, dueMs, streamId, whether the mark counts
     * ('1'). 0 without writing anything when it counts and the session is being deleted, else 1.
     */
    private static final String PUT = """
            if ARGV[5] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
            redis.call('PEXPIRE', KEYS[2], ARGV[2])
            return 1
            """;

    /** KEYS: index; ARGV: now, leaseUntil, count. Due ids, each pushed out to leaseUntil (claimed). */
    private static final String CLAIM = """
            local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
            for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[2], id) end
            return due
            """;

    private final GatewayRedis redis;
    private final JsonMapper json;
    private final ReplyProperties properties;
    private final SessionTombstones tombstones;

    PendingReplies(GatewayRedis redis, JsonMapper json, ReplyProperties properties, SessionTombstones tombstones) {
        this.tombstones = tombstones;
        this.redis = redis;
        this.json = json;
        this.properties = properties;
    }

    static String key(String streamId) {
        return "chat:reply:{" + streamId + "}";
    }

    /**
     * Keeps the reply, due for a replay once the writer's own retries are over (it retries meanwhile); false, keeping
     * nothing, when the reply has something to write into a session being deleted (checked in the same call).
     */
    Mono<Boolean> put(PendingReply reply) {
        String body = json.writeValueAsString(reply);
        long due = System.currentTimeMillis() + properties.saveWindow().toMillis() + 2_000;
        return redis.commands().flatMap(r -> r.<Long>eval(PUT, ScriptOutputType.INTEGER,
                        new String[] {key(reply.streamId()), INDEX, SessionTombstones.key(reply.sessionId())}, body,
                        Long.toString(properties.pendingTtl().toMillis()), Long.toString(due), reply.streamId(),
                        reply.chargeOnly() ? "0" : "1").next())
                .timeout(StoreTimeouts.CALL)
                .map(kept -> kept == 1);
    }

    Mono<Void> remove(String streamId) {
        return redis.commands().flatMap(r -> Mono.when(r.del(key(streamId)), r.zrem(INDEX, streamId)))
                .timeout(StoreTimeouts.CALL);
    }

    /** Claims up to {@code count} due replies for this node (for {@link #CLAIM_LEASE_MS}). */
    Flux<String> claimDue(int count) {
        long now = System.currentTimeMillis();
        return redis.commands().flatMap(r -> r.<List<String>>eval(CLAIM, ScriptOutputType.MULTI, new String[] {INDEX},
                                Long.toString(now), Long.toString(now + CLAIM_LEASE_MS), Integer.toString(count)).next())
                .timeout(StoreTimeouts.CALL)
                .flatMapMany(Flux::fromIterable);
    }

    /**
     * A replay that failed (MongoDB still down): due again after {@code delay} rather than after the whole claim lease
     * (which only guards against a node that died while replaying). Only while the entry is still waiting.
     */
    Mono<Void> retryIn(String streamId, java.time.Duration delay) {
        long due = System.currentTimeMillis() + delay.toMillis();
        return redis.commands().flatMap(r -> r.zadd(INDEX, io.lettuce.core.ZAddArgs.Builder.xx(), (double) due, streamId))
                .timeout(StoreTimeouts.CALL)
                .then();
    }

    Mono<PendingReply> get(String streamId) {
        return redis.commands().flatMap(r -> r.get(key(streamId)))
                .timeout(StoreTimeouts.CALL)
                .map(body -> json.readValue(body, PendingReply.class));
    }

    Mono<Boolean> sessionDeleted(String sessionId) {
        return tombstones.isDeleted(sessionId);
    }

    /** Replies waiting now (tests, metrics). */
    Mono<Long> count() {
        return redis.commands().flatMap(r -> r.zcard(INDEX)).timeout(StoreTimeouts.CALL);
    }
}
