package dev.streamchat.gateway.quota;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import dev.streamchat.gateway.stream.StreamProperties;
import reactor.core.publisher.Mono;

/**
 * The free plan's monthly allowance with reservations. A request reserves one reply before the stream
 * starts; {@code used + reserved} never passes the limit because the check and the reservation are one Lua
 * script. A reservation is released when the stream fails or is stopped, and expires by itself when the
 * gateway that holds it dies. A completed reply is counted in MongoDB ({@code users}) first, then moved from
 * reserved to used in Redis. Pro users are neither limited nor counted: {@code chatRequestCount} grows for completed
 * free-plan replies only (contract section 4), so a pro user's {@code used} is what they used while on the free plan
 * this month.
 */
@Component
public class FreeTierQuota {

    /**
     * KEYS used this month, reserved; ARGV now, reservation expiry, stream id, limit, the month's count from MongoDB
     * ('' = not read: then a missing count answers {-1} and the caller reads it and asks again), count TTL, reservation
     * TTL. Returns {1 = reserved | 0 = over the limit | -1 = count needed, used, reserved}.
     */
    static final String RESERVE = """
            if ARGV[5] == '' then
              if redis.call('EXISTS', KEYS[1]) == 0 then return {-1, 0, 0} end
            else
              redis.call('SET', KEYS[1], ARGV[5], 'NX', 'PX', ARGV[6])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[1])
            local used = tonumber(redis.call('GET', KEYS[1]))
            local reserved = redis.call('ZCARD', KEYS[2])
            if used + reserved >= tonumber(ARGV[4]) then return {0, used, reserved} end
            redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
            redis.call('PEXPIRE', KEYS[2], ARGV[7])
            return {1, used, reserved + 1}
            """;

    /** Moves a reservation to used, once per stream (KEYS[3] marks a counted stream for as long as a reply may wait). */
    static final String COMMIT = """
            redis.call('ZREM', KEYS[2], ARGV[1])
            if redis.call('SET', KEYS[3], '1', 'NX', 'PX', ARGV[3]) and redis.call('EXISTS', KEYS[1]) == 1 then
              redis.call('INCR', KEYS[1])
            end
            redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
            return redis.call('ZCARD', KEYS[2])
            """;

    static final String RESERVED = """
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
            return redis.call('ZCARD', KEYS[1])
            """;

    private final GatewayRedis redis;
    private final UsageCounter usage;
    private final QuotaProperties properties;
    private final Duration reservationTtl;
    private final Clock clock;
    private final Counter rejected;

    @Autowired
    public FreeTierQuota(GatewayRedis redis, UsageCounter usage, QuotaProperties properties,
                         StreamProperties streams, MeterRegistry meters) {
        this(redis, usage, properties, streams, meters, Clock.systemUTC());
    }

    FreeTierQuota(GatewayRedis redis, UsageCounter usage, QuotaProperties properties, StreamProperties streams,
                  MeterRegistry meters, Clock clock) {
        this.redis = redis;
        this.usage = usage;
        this.properties = properties;
        Duration streamBound = streams.overallLimit().plusSeconds(30);
        this.reservationTtl = properties.reservationTtl().compareTo(streamBound) > 0 ? properties.reservationTtl() : streamBound;
        this.clock = clock;
        this.rejected = Counter.builder("gateway.quota.rejected").description("Chat requests refused by the free-plan quota")
                .register(meters);
    }

    /**
     * Reserves one reply for {@code streamId}. Free plan over the limit: 429 {@code quota_exceeded} with member
     * {@code quota}. Pro: nothing reserved. Redis or MongoDB down: 503.
     */
    public Mono<Void> reserve(AuthenticatedUser user, String streamId) {
        if (!user.isFree()) {
            return Mono.empty();
        }
        Instant now = clock.instant();
        QuotaPeriod period = QuotaPeriod.of(now);
        int limit = properties.freeChatsPerMonth();
        // The month's count is in Redis after the user's first request of the month: one trip. Only without it is
        // MongoDB read (the stored count seeds Redis) and the script run again.
        return reserve(user, streamId, now, period, limit, "")
                .flatMap(result -> result.get(0) != -1L ? Mono.just(result)
                        : usage.used(user.userId(), now)
                                .flatMap(seed -> reserve(user, streamId, now, period, limit, Long.toString(seed))))
                .timeout(StoreTimeouts.CALL)
                .onErrorMap(StoreUnavailable::map)
                .flatMap(result -> {
                    if (result.get(0) == 1L) {
                        return Mono.<Void>empty();
                    }
                    rejected.increment();
                    QuotaSnapshot quota = new QuotaSnapshot(user.plan(), result.get(1), result.get(2), limit, period.resetsAt());
                    return Mono.error(new ApiException(ErrorCode.QUOTA_EXCEEDED,
                            "The free plan allows " + limit + " chats per month.", null, Map.of("quota", quota.toJson())));
                });
    }

    private Mono<List<Long>> reserve(AuthenticatedUser user, String streamId, Instant now, QuotaPeriod period, int limit,
                                     String seed) {
        return redis.commands().flatMap(r -> r.<List<Long>>eval(RESERVE, ScriptOutputType.MULTI,
                        new String[] {usedKey(user.userId(), period), reservedKey(user.userId())},
                        Long.toString(now.toEpochMilli()),
                        Long.toString(now.plus(reservationTtl).toEpochMilli()),
                        streamId, Integer.toString(limit), seed,
                        Long.toString(Duration.ofDays(40).toMillis()),
                        Long.toString(reservationTtl.toMillis()))
                .next());
    }

    /** Gives the reservation back (failed, stopped or deleted stream). Best effort: it expires anyway. */
    public Mono<Void> release(AuthenticatedUser user, String streamId) {
        if (!user.isFree()) {
            return Mono.empty();
        }
        return redis.commands().flatMap(r -> r.zrem(reservedKey(user.userId()), streamId))
                .timeout(StoreTimeouts.CALL)
                .then();
    }

    /**
     * Counts one completed free-plan reply (MongoDB first, then Redis) and returns the quota after it. Idempotent per
     * {@code streamId} in both stores, so a charge repeated after any failure counts once. A pro reply is not counted:
     * the quota as it stands.
     */
    public Mono<QuotaSnapshot> commit(AuthenticatedUser user, String streamId) {
        if (!user.isFree()) {
            return snapshot(user);
        }
        Instant now = clock.instant();
        QuotaPeriod period = QuotaPeriod.of(now);
        return usage.increment(user.userId(), user.plan(), now, streamId)
                .flatMap(used -> redis.commands()
                        .flatMap(r -> r.<Long>eval(COMMIT, ScriptOutputType.INTEGER,
                                new String[] {usedKey(user.userId(), period), reservedKey(user.userId()),
                                        chargedKey(user.userId(), streamId)},
                                streamId, Long.toString(now.toEpochMilli()),
                                Long.toString(CHARGE_MARK_TTL.toMillis())).next())
                        .timeout(StoreTimeouts.CALL)
                        .map(reserved -> new QuotaSnapshot(user.plan(), used, reserved, properties.freeChatsPerMonth(),
                                period.resetsAt())));
    }

    /** The caller's quota now. */
    public Mono<QuotaSnapshot> snapshot(AuthenticatedUser user) {
        Instant now = clock.instant();
        QuotaPeriod period = QuotaPeriod.of(now);
        Mono<Long> used = usage.used(user.userId(), now);
        if (!user.isFree()) {
            return used.map(n -> new QuotaSnapshot(user.plan(), n, 0, null, null))
                    .onErrorMap(StoreUnavailable::map);
        }
        Mono<Long> reserved = redis.commands().flatMap(r -> r.<Long>eval(RESERVED, ScriptOutputType.INTEGER,
                new String[] {reservedKey(user.userId())}, Long.toString(now.toEpochMilli())).next());
        return Mono.zip(used, reserved)
                .timeout(StoreTimeouts.CALL)
                .map(t -> new QuotaSnapshot(user.plan(), t.getT1(), t.getT2(), properties.freeChatsPerMonth(),
                        period.resetsAt()))
                .onErrorMap(StoreUnavailable::map);
    }

    static String usedKey(String userId, QuotaPeriod period) {
        return "chat:quota:{" + userId + "}:used:" + period.key();
    }

    /** Long enough to cover a reply whose save waits out a MongoDB outage (pending replies live 7 days). */
    static final Duration CHARGE_MARK_TTL = Duration.ofDays(8);

    static String chargedKey(String userId, String streamId) {
        return "chat:quota:{" + userId + "}:charged:" + streamId;
    }

    static String reservedKey(String userId) {
        return "chat:quota:{" + userId + "}:reserved";
    }
}
