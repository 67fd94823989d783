package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lettuce.core.Limit;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;

import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Redis side of streams: the contract's state key {@code chat:stream:{userId}:{sessionId}:{ts}}, the
 * per-stream resume log (a Redis Stream whose entry IDs are the last seq of each batch, so a resend is a
 * no-op and replay can start at any seq) with its meta hash (owner user, session, status, durable stop
 * flag), the per-session running-stream lock (409), sessions handed out in a 202 before their first save,
 * and each user's running streams. Every key has a TTL.
 */
@Component
class StreamStore {

    static final String STATUS_RUNNING = "running";

    /**
     * Appends a batch (and maybe the final entry), publishes what it newly appended to the user's fan-out channel
     * (ARGV[15]) when a node other than this one is subscribed to it (the subscriber count is more than ARGV[17], this
     * node's own subscription: 1 or 0; a single node publishes nothing, so it does not read its own frames back) and,
     * when ARGV[14] is 1 (at most once a second), refreshes the TTLs and the liveness lease (and the stream's deadline
     * in the running index, KEYS[7] / ARGV[18]); returns the stop flag plus {@link #OTHERS_LISTEN} when a node other
     * than this one is subscribed to the user's channel (so the owner flushes that stream every tick), or -1 when the
     * lease had already lapsed or a {@link LeaseSweeper} already ended the stream (other nodes count it as failed:
     * nothing more is appended or published, which fences an owner that was only paused), or -2 without doing
     * anything when the meta hash is gone: Redis lost its data (restarted empty). The published frame (see {@link StreamFanout#frameHead}) is put
     * together here, only when it is published: the stream's frame head ARGV[16], its chat-stream-start payload
     * ARGV[19] ('' when this batch does not announce it), the first seq, the tokens and the final entry; so a flush on
     * a single node carries the tokens once and no frame.
     */
    static final String FLUSH = """
            if redis.call('EXISTS', KEYS[2]) == 0 then return -2 end
            if redis.call('HGET', KEYS[2], 'status') ~= 'running' then return -1 end
            local fresh = tonumber(ARGV[2]) == 0 and ARGV[6] == ''
            if tonumber(ARGV[2]) > 0 then
              local added = redis.pcall('XADD', KEYS[1], ARGV[4] .. '-0', 's', ARGV[3], 't', 'tok', 'd', ARGV[5])
              fresh = type(added) == 'string'
              redis.call('HSET', KEYS[2], 'top', ARGV[4])
            end
            -- Another node listens to the user's channel: ARGV[17] is this node's own subscription (1 or 0), which
            -- needs no copy of its own events. Asked once per call.
            local listening
            local function othersListen()
              if listening == nil then listening = redis.call('PUBSUB', 'NUMSUB', ARGV[15])[2] > tonumber(ARGV[17]) end
              return listening
            end
            -- What was appended now (not a resend Redis had already taken) goes to the user's other nodes, if any.
            local function publish()
              local tokens = tonumber(ARGV[2]) > 0
              if fresh and (tokens or ARGV[6] ~= '' or ARGV[19] ~= '') and othersListen() then
                redis.call('PUBLISH', ARGV[15], ARGV[16] .. (ARGV[19] ~= '' and ARGV[19] or 'null')
                    .. ',"s":' .. ARGV[3] .. ',"t":' .. (tokens and ARGV[5] or '[]')
                    .. ',"end":' .. (ARGV[6] ~= '' and ARGV[6] or 'null') .. '}')
              end
            end
            local stop = tonumber(redis.call('HGET', KEYS[2], 'stop') or '0')
            if ARGV[6] ~= '' then
              local added = redis.pcall('XADD', KEYS[1], ARGV[7], 't', 'end', 'd', ARGV[6])
              fresh = fresh or type(added) == 'string'
              redis.call('HSET', KEYS[2], 'status', ARGV[8])
              redis.call('PEXPIRE', KEYS[1], ARGV[11])
              redis.call('PEXPIRE', KEYS[2], ARGV[11])
              if ARGV[9] == '1' then redis.call('DEL', KEYS[3]) else redis.call('SET', KEYS[3], ARGV[10], 'PX', 60000) end
              if redis.call('GET', KEYS[4]) == ARGV[12] then redis.call('DEL', KEYS[4]) end
              redis.call('SREM', KEYS[5], ARGV[12])
              redis.call('DEL', KEYS[6])
              redis.call('ZREM', KEYS[7], ARGV[12])
            elseif ARGV[14] == '1' then
              if redis.call('PEXPIRE', KEYS[6], ARGV[13]) == 0 then
                publish()
                return -1
              end
              redis.call('PEXPIRE', KEYS[1], ARGV[1])
              redis.call('PEXPIRE', KEYS[2], ARGV[1])
              redis.call('PEXPIRE', KEYS[3], 300000)
              redis.call('PEXPIRE', KEYS[4], 300000)
              redis.call('PEXPIRE', KEYS[5], ARGV[1])
              redis.call('ZADD', KEYS[7], ARGV[18], ARGV[12])
              redis.call('PEXPIRE', KEYS[7], ARGV[1])
            end
            publish()
            return stop + (othersListen() and 2 or 0)
            """;

    /** Added to the {@link #FLUSH} script's stop flag when another node listens to the stream's user (the 2 above). */
    static final long OTHERS_LISTEN = 2;

    /** Sets the durable stop flag of a running stream owned by ARGV[1]: 1 stopping, 0 finished, -1 unknown. */
    static final String REQUEST_STOP = """
            local uid = redis.call('HGET', KEYS[1], 'uid')
            if not uid or uid ~= ARGV[1] then return -1 end
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
            if redis.call('EXISTS', KEYS[2]) == 0 then return 0 end
            redis.call('HSET', KEYS[1], 'stop', '1')
            return 1
            """;

    static final String STATUS_ERROR = "error";

    /**
     * Ends a stream whose node died, exactly once across nodes: only while its lease is gone and its status is still
     * running (the check and the change are one script, so of several sweeping nodes one wins). Appends the final
     * entry ARGV[2] after the last logged seq, marks the stream failed like the owner's own failed ending would
     * (status, state key, session lock, the user's running set, TTLs), removes it from the running index and
     * publishes the end frame ARGV[5] to the user's channel ARGV[4]. KEYS: meta, ev, lease, state, session lock,
     * user's streams, running index. 1 ended now, 0 nothing to do (alive again, already ended, or unknown).
     */
    static final String SWEEP = """
            if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
            if redis.call('HGET', KEYS[1], 'status') ~= 'running' then
              redis.call('ZREM', KEYS[7], ARGV[1])
              return 0
            end
            local top = redis.call('HGET', KEYS[1], 'top') or '0'
            redis.pcall('XADD', KEYS[2], top .. '-1', 't', 'end', 'd', ARGV[2])
            redis.call('HSET', KEYS[1], 'status', 'error')
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[3])
            redis.call('SET', KEYS[4], ARGV[6], 'PX', 60000)
            if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
            redis.call('SREM', KEYS[6], ARGV[1])
            redis.call('ZREM', KEYS[7], ARGV[1])
            redis.call('PUBLISH', ARGV[4], ARGV[5])
            return 1
            """;

    /**
     * Every running stream of every node by its lease deadline (ms): refreshed with the lease, so the members whose
     * score passed are the only candidates a {@link LeaseSweeper} looks at. Bounded by the running streams.
     */
    static final String RUNNING_INDEX = "chat:streams:running";

    /**
     * Takes the session lock unless a stream with a live lease holds it (a holder whose lease lapsed died with
     * its node and is overridden), and gives the new stream its lease. ARGV[4]/ARGV[5] build the holder's lease key.
     */
    static final String LOCK_SESSION = """
            local holder = redis.call('GET', KEYS[1])
            if holder and redis.call('EXISTS', ARGV[4] .. holder .. ARGV[5]) == 1 then return 0 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
            return 1
            """;

    /**
     * Everything a new stream takes before the quota, atomically: refused in the contract's order with nothing taken
     * (0 another stream with a live lease holds the session lock, 2 the session was deleted, 3 the user already runs
     * ARGV[6] streams), else the session lock (KEYS[1]) and the lease (KEYS[2]), a slot among the user's streams
     * (KEYS[4]; members whose lease is gone, ended or their node died, are dropped first), the owner of a new session
     * (KEYS[5], when ARGV[7] names one), and the stream's record: meta hash (KEYS[6], fields ARGV[11..]), contract
     * state key (KEYS[7]), the running index (KEYS[8], scored by the lease deadline) and the user's running set
     * (KEYS[9]); returns 1.
     */
    static final String CLAIM = """
            local holder = redis.call('GET', KEYS[1])
            if holder and redis.call('EXISTS', ARGV[4] .. holder .. ARGV[5]) == 1 then return 0 end
            if redis.call('EXISTS', KEYS[3]) == 1 then return 2 end
            local live = 0
            for _, id in ipairs(redis.call('SMEMBERS', KEYS[4])) do
              if redis.call('EXISTS', ARGV[4] .. id .. ARGV[5]) == 1 then live = live + 1 else redis.call('SREM', KEYS[4], id) end
            end
            if live >= tonumber(ARGV[6]) then return 3 end
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
            redis.call('SADD', KEYS[4], ARGV[1])
            redis.call('PEXPIRE', KEYS[4], ARGV[2])
            if ARGV[7] ~= '' then redis.call('SET', KEYS[5], ARGV[7], 'EX', ARGV[8]) end
            redis.call('HSET', KEYS[6], unpack(ARGV, 11))
            redis.call('PEXPIRE', KEYS[6], ARGV[2])
            redis.call('SET', KEYS[7], ARGV[9], 'PX', ARGV[2])
            redis.call('ZADD', KEYS[8], ARGV[10], ARGV[1])
            redis.call('PEXPIRE', KEYS[8], ARGV[2])
            redis.call('SADD', KEYS[9], ARGV[1])
            redis.call('PEXPIRE', KEYS[9], ARGV[2])
            return 1
            """;

    private static final String LEASE_PREFIX = "chat:resume:{";
    private static final String LEASE_SUFFIX = "}:lease";

    private static final Duration RUNNING_TTL = Duration.ofSeconds(300);
    private static final long SESSION_OWNER_TTL_S = Duration.ofDays(1).toSeconds();

    private static final String RUNNING_TTL_MS = Long.toString(RUNNING_TTL.toMillis());

    private final GatewayRedis redis;
    private final StreamProperties properties;
    private final String resumeTtlMs;
    private final String leaseTtlMs;

    StreamStore(GatewayRedis redis, StreamProperties properties) {
        this.redis = redis;
        this.properties = properties;
        this.resumeTtlMs = Long.toString(properties.resumeTtl().toMillis());
        this.leaseTtlMs = Long.toString(properties.leaseTtl().toMillis());
    }

    /** The flusher's own pipelined connection, or null while it is (re)connecting. */
    StatefulRedisConnection<String, String> flusherConnection() {
        return redis.pipelinedIfConnected();
    }

    static String metaKey(String streamId) {
        return "chat:resume:{" + streamId + "}:meta";
    }

    static String eventsKey(String streamId) {
        return "chat:resume:{" + streamId + "}:ev";
    }

    /**
     * The liveness lease of a running stream: set when its session is locked, refreshed by every flush of the
     * node relaying it (at least every 250 ms), so it lapses {@code lease-ttl} after that node died.
     */
    static String leaseKey(String streamId) {
        return LEASE_PREFIX + streamId + LEASE_SUFFIX;
    }

    static String stateKey(StreamSpec spec) {
        return "chat:stream:" + spec.userId() + ":" + spec.sessionId() + ":" + spec.startedAt().toEpochMilli();
    }

    static String sessionLockKey(String sessionId) {
        return "chat:session:{" + sessionId + "}:stream";
    }

    static String sessionOwnerKey(String sessionId) {
        return "chat:session:{" + sessionId + "}:owner";
    }

    static String userStreamsKey(String userId) {
        return "chat:user:{" + userId + "}:streams";
    }

    /**
     * Takes the session's running-stream lock and starts the stream's lease; false when another stream of the
     * session runs with a live lease (409).
     */
    Mono<Boolean> lockSession(String sessionId, String streamId) {
        return redis.commands()
                .flatMap(r -> r.<Long>eval(LOCK_SESSION, ScriptOutputType.INTEGER,
                        new String[] {sessionLockKey(sessionId), leaseKey(streamId)}, streamId,
                        Long.toString(RUNNING_TTL.toMillis()), Long.toString(properties.leaseTtl().toMillis()),
                        LEASE_PREFIX, LEASE_SUFFIX).next())
                .map(result -> result == 1L)
                .defaultIfEmpty(false)
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Claims and records a new stream in one trip to Redis ({@link #CLAIM}): a refusal takes nothing, so the caller
     * gives nothing back. {@code newSessionOwner} names the owner of a new session (else null).
     */
    Mono<StreamClaim> claim(StreamSpec spec, String newSessionOwner, int maxStreams, String stateJson) {
        String[] keys = {sessionLockKey(spec.sessionId()), leaseKey(spec.streamId()), sessionDeletedKey(spec.sessionId()),
                userSlotsKey(spec.userId()), sessionOwnerKey(spec.sessionId()), metaKey(spec.streamId()), stateKey(spec),
                RUNNING_INDEX, userStreamsKey(spec.userId())};
        List<String> args = new ArrayList<>(List.of(spec.streamId(), RUNNING_TTL_MS, leaseTtlMs,
                LEASE_PREFIX, LEASE_SUFFIX, Integer.toString(maxStreams), newSessionOwner == null ? "" : newSessionOwner,
                Long.toString(SESSION_OWNER_TTL_S), stateJson,
                Long.toString(System.currentTimeMillis() + properties.leaseTtl().toMillis())));
        meta(spec).forEach((field, value) -> {
            args.add(field);
            args.add(value);
        });
        return redis.commands()
                .flatMap(r -> r.<Long>eval(CLAIM, ScriptOutputType.INTEGER, keys, args.toArray(String[]::new)).next())
                .switchIfEmpty(Mono.error(() -> new IllegalStateException("the claim script answered nothing")))
                .timeout(StoreTimeouts.CALL)
                .map(result -> switch (result.intValue()) {
                    case 1 -> StreamClaim.TAKEN;
                    case 0 -> StreamClaim.SESSION_BUSY;
                    case 2 -> StreamClaim.SESSION_DELETED;
                    case 3 -> StreamClaim.NO_SLOT;
                    default -> throw new IllegalStateException("unexpected claim result " + result);
                });
    }

    Mono<Void> unlockSession(String sessionId, String streamId) {
        return redis.commands()
                .flatMap(r -> r.eval("redis.call('DEL', KEYS[2]) if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
                        ScriptOutputType.INTEGER, new String[] {sessionLockKey(sessionId), leaseKey(streamId)}, streamId).then())
                .timeout(StoreTimeouts.CALL);
    }

    /** The stream currently running in a session (any node), or empty. */
    Mono<String> runningStreamOf(String sessionId) {
        return redis.commands().flatMap(r -> r.get(sessionLockKey(sessionId))).timeout(StoreTimeouts.CALL);
    }

    Mono<String> sessionOwner(String sessionId) {
        return redis.commands().flatMap(r -> r.get(sessionOwnerKey(sessionId))).timeout(StoreTimeouts.CALL);
    }

    Mono<Void> forgetSession(String sessionId) {
        return redis.commands().flatMap(r -> r.del(sessionOwnerKey(sessionId))).timeout(StoreTimeouts.CALL).then();
    }

    static String userSlotsKey(String userId) {
        return "chat:slots:{" + userId + "}";
    }

    static String sessionDeletedKey(String sessionId) {
        return "chat:session:{" + sessionId + "}:deleted";
    }

    /** Marks a session deleted for a while, so that a stream finishing on any node writes nothing into it. */
    Mono<Void> markDeleted(String sessionId) {
        return redis.commands().flatMap(r -> r.setex(sessionDeletedKey(sessionId), 600, "1"))
                .timeout(StoreTimeouts.CALL).then();
    }

    Mono<Boolean> isDeleted(String sessionId) {
        return redis.commands().flatMap(r -> r.exists(sessionDeletedKey(sessionId))).map(n -> n > 0)
                .timeout(StoreTimeouts.CALL);
    }

    /** The stream's meta hash as a new stream starts with it. */
    private static Map<String, String> meta(StreamSpec spec) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("uid", spec.userId());
        meta.put("sess", spec.sessionId());
        meta.put("msg", spec.messageId());
        meta.put("umsg", spec.userMessageId() == null ? "" : spec.userMessageId());
        meta.put("q", spec.question());
        meta.put("kind", spec.kind().wireName());
        meta.put("crid", spec.clientRequestId() == null ? "" : spec.clientRequestId());
        meta.put("status", STATUS_RUNNING);
        meta.put("top", "0");
        meta.put("stop", "0");
        meta.put("startedAt", spec.startedAt().toString());
        return meta;
    }

    /** Records a running stream again (meta hash, contract state key, running index and set): see {@link #reopen}. */
    private Mono<Void> record(StreamSpec spec, String stateJson) {
        Map<String, String> meta = meta(spec);
        long ttl = RUNNING_TTL.toMillis();
        return redis.commands().flatMap(r -> Mono.when(
                        r.hset(metaKey(spec.streamId()), meta),
                        r.pexpire(metaKey(spec.streamId()), ttl),
                        r.set(stateKey(spec), stateJson, SetArgs.Builder.px(ttl)),
                        r.zadd(RUNNING_INDEX, (double) (System.currentTimeMillis() + properties.leaseTtl().toMillis()),
                                spec.streamId()),
                        r.pexpire(RUNNING_INDEX, ttl),
                        r.sadd(userStreamsKey(spec.userId()), spec.streamId()),
                        r.pexpire(userStreamsKey(spec.userId()), ttl)))
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * After Redis lost the stream's keys (a restart without persistence) while this node still runs it: records it
     * again (meta, state, the user's running set) and takes its session lock and lease back; false when another
     * stream took the session meanwhile (then this one must end). What was logged before the loss is gone: a resume
     * from before it gets the later tokens and the final event, whose {@code content} is the whole reply.
     */
    Mono<Boolean> reopen(StreamSpec spec, String stateJson) {
        return record(spec, stateJson).then(lockSession(spec.sessionId(), spec.streamId()));
    }

    /** Undoes {@link #claim}'s record for a stream that never started (the quota or the ai-service refused it). */
    Mono<Void> discard(StreamSpec spec) {
        return redis.commands().flatMap(r -> Mono.when(
                        r.del(metaKey(spec.streamId()), eventsKey(spec.streamId()), stateKey(spec)),
                        r.srem(userStreamsKey(spec.userId()), spec.streamId()),
                        r.zrem(RUNNING_INDEX, spec.streamId())))
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Queues one batch on the flusher's pipelined connection as {@code EVALSHA} (or {@code EVAL} when the script
     * must be sent again); nothing is sent before that connection's {@code flushCommands()}. The future holds the
     * stream's stop flag (1 = a stop was requested from some node, -1 = the lease had lapsed, -2 = Redis lost the
     * stream's keys); Lettuce's command timeout bounds it. {@code failedStateJson} goes with the final entry only
     * ("" otherwise), {@code startJson} with the flush that announces the stream to other nodes ("" otherwise).
     */
    RedisFuture<Long> queueFlush(RedisAsyncCommands<String, String> redis, String flushSha, FlushTarget target,
                                 StreamSpec spec, RunningStream.Batch batch, String tokensJson, String failedStateJson,
                                 boolean refresh, String startJson, boolean subscribedHere) {
        String[] args = {
                RUNNING_TTL_MS,
                Integer.toString(batch.tokens().size()),
                Long.toString(batch.firstSeq()),
                Long.toString(batch.lastSeq()),
                tokensJson,
                batch.finalEntry() == null ? "" : batch.finalEntry(),
                batch.topSeq() + "-1",
                batch.finalStatus() == null ? "" : batch.finalStatus(),
                batch.finalSuccess() ? "1" : "0",
                failedStateJson,
                resumeTtlMs,
                spec.streamId(),
                leaseTtlMs,
                refresh ? "1" : "0",
                target.channel(),
                target.frameHead(),
                subscribedHere ? "1" : "0",
                Long.toString(System.currentTimeMillis() + properties.leaseTtl().toMillis()),
                startJson};
        return flushSha == null
                ? redis.eval(FLUSH, ScriptOutputType.INTEGER, target.keys(), args)
                : redis.evalsha(flushSha, ScriptOutputType.INTEGER, target.keys(), args);
    }

    /**
     * What every {@link #FLUSH} of one stream sends alike, built once per stream by the flusher: the script's keys, the
     * user's fan-out channel and the stream's frame head ({@link StreamFanout#frameHead}).
     */
    record FlushTarget(String[] keys, String channel, String frameHead) {

        static FlushTarget of(StreamSpec spec, StreamFanout fanout) {
            return new FlushTarget(new String[] {eventsKey(spec.streamId()), metaKey(spec.streamId()), stateKey(spec),
                    sessionLockKey(spec.sessionId()), userStreamsKey(spec.userId()), leaseKey(spec.streamId()),
                    RUNNING_INDEX}, fanout.channel(spec), fanout.frameHead(spec));
        }
    }

    /** The stream's meta hash; a running stream whose lease lapsed (its node died) reads as {@code error}. */
    Mono<Map<String, String>> meta(String streamId) {
        return redis.commands().flatMap(r -> withLease(r, streamId))
                .filter(map -> !map.isEmpty())
                .timeout(StoreTimeouts.CALL);
    }

    private static Mono<Map<String, String>> withLease(io.lettuce.core.api.reactive.RedisReactiveCommands<String, String> r,
                                                       String streamId) {
        return Mono.zip(r.hgetall(metaKey(streamId)).collectMap(kv -> kv.getKey(), kv -> kv.getValue()),
                        r.exists(leaseKey(streamId)))
                .map(metaAndLease -> {
                    Map<String, String> meta = metaAndLease.getT1();
                    if (STATUS_RUNNING.equals(meta.get("status")) && metaAndLease.getT2() == 0L) {
                        meta.put("status", STATUS_ERROR);
                    }
                    return meta;
                });
    }

    /** 1 stopping, 0 the stream already ended, -1 unknown or another user's. */
    Mono<Long> requestStop(String userId, String streamId) {
        return redis.commands().flatMap(r -> r.<Long>eval(REQUEST_STOP, ScriptOutputType.INTEGER,
                        new String[] {metaKey(streamId), leaseKey(streamId)}, userId).next())
                .timeout(StoreTimeouts.CALL);
    }

    /** Running streams (any node) whose lease deadline passed by {@code nowMillis}: at most {@code count}. */
    Mono<List<String>> overdue(long nowMillis, int count) {
        return redis.commands()
                .flatMap(r -> r.zrangebyscore(RUNNING_INDEX, Range.create(Double.NEGATIVE_INFINITY, (double) nowMillis),
                        Limit.create(0, count)).collectList())
                .timeout(StoreTimeouts.CALL);
    }

    /** The raw meta hash (empty when gone), without the lease check of {@link #meta}. */
    Mono<Map<String, String>> rawMeta(String streamId) {
        return redis.commands()
                .flatMap(r -> r.hgetall(metaKey(streamId)).collectMap(kv -> kv.getKey(), kv -> kv.getValue()))
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Runs {@link #SWEEP} for a stream whose lease lapsed; true when this call ended it (exactly one node's does).
     * {@code meta} is what was read before (it names the state key and the user's keys).
     */
    Mono<Boolean> sweep(String streamId, Map<String, String> meta, String finalEntry, String failedStateJson,
                        String channel, String frame) {
        String userId = meta.getOrDefault("uid", "");
        String sessionId = meta.getOrDefault("sess", "");
        long startedAt;
        try {
            startedAt = java.time.Instant.parse(meta.getOrDefault("startedAt", "")).toEpochMilli();
        } catch (RuntimeException e) {
            startedAt = 0;
        }
        String stateKey = "chat:stream:" + userId + ":" + sessionId + ":" + startedAt;
        return redis.commands()
                .flatMap(r -> r.<Long>eval(SWEEP, ScriptOutputType.INTEGER,
                        new String[] {metaKey(streamId), eventsKey(streamId), leaseKey(streamId), stateKey,
                                sessionLockKey(sessionId), userStreamsKey(userId), RUNNING_INDEX},
                        streamId, finalEntry, resumeTtlMs, channel, frame, failedStateJson).next())
                .map(result -> result == 1L)
                .timeout(StoreTimeouts.CALL);
    }

    /** Drops a stream id from the running index (its meta is gone). */
    Mono<Void> forgetRunning(String streamId) {
        return redis.commands().flatMap(r -> r.zrem(RUNNING_INDEX, streamId)).timeout(StoreTimeouts.CALL).then();
    }

    /**
     * Entries whose batch holds seq {@code >= fromSeq}, in order, paged, and the final entry even when no token
     * follows {@code fromSeq - 1}: it is logged as {@code <top>-1}, after the batch {@code <top>-0}, so a client that
     * got every token but not the final event ({@code afterSeq} = the last seq) still gets it.
     */
    Flux<StreamMessage<String, String>> entriesFrom(String streamId, long fromSeq) {
        return page(streamId, Range.Boundary.including(Math.max(0, fromSeq - 1) + "-1"));
    }

    private Flux<StreamMessage<String, String>> page(String streamId, Range.Boundary<String> lower) {
        return redis.commands()
                .flatMap(r -> r.xrange(eventsKey(streamId), Range.from(lower, Range.Boundary.unbounded()), Limit.from(256))
                        .collectList())
                .timeout(StoreTimeouts.CALL)
                .flatMapMany(entries -> {
                    if (entries.size() < 256) {
                        return Flux.fromIterable(entries);
                    }
                    String last = entries.get(entries.size() - 1).getId();
                    return Flux.fromIterable(entries).concatWith(page(streamId, Range.Boundary.excluding(last)));
                });
    }

    /** The meta hashes of the user's streams that are still running (any node). */
    Flux<Map<String, String>> runningOf(String userId) {
        return redis.commands()
                .flatMapMany(r -> r.smembers(userStreamsKey(userId)).collectList()
                        .flatMapMany(ids -> {
                            List<Mono<Map<String, String>>> metas = new ArrayList<>();
                            for (String id : ids) {
                                metas.add(withLease(r, id)
                                        .map(m -> {
                                            m.put("streamId", id);
                                            return m;
                                        }));
                            }
                            return Flux.mergeSequential(metas);
                        }))
                .filter(m -> STATUS_RUNNING.equals(m.get("status")) && userId.equals(m.get("uid")))
                .timeout(StoreTimeouts.CALL);
    }
}
