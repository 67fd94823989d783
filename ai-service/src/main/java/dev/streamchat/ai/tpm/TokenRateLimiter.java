package dev.streamchat.ai.tpm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.script.RedisScript;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Reserves OpenAI tokens against the shared tokens-per-minute budget in Redis (CONTRACT.md section 5): one counter,
 * {@code openai:tpm:counter}, grown by a Lua script (INCRBY, plus a 70 s TTL only when the key has none, so the first
 * reservation opens a window) and reconciled with the real usage afterwards while the same window lives.
 * <p>
 * A reservation waits for room by polling on Reactor timers (never sleeping) for at most {@code maxWait}, then fails
 * with {@link RateLimitedException}. When Redis itself fails, requests go ahead unmetered (logged): the budget is a
 * safety net, and OpenAI's own 429s still end a stream with {@code rate_limited}.
 * <p>
 * Threading: script calls are subscribed on {@code boundedElastic}, because Spring Data opens a (pooled) Lettuce
 * connection synchronously on first use, which must not happen on an event loop (BlockHound caught it there).
 */
public class TokenRateLimiter {

    private static final Logger log = LoggerFactory.getLogger(TokenRateLimiter.class);

    /** KEYS[1] counter; ARGV amount, limit, window ms. Returns {granted 0|1, counter, ttl ms, window expiry epoch ms}. */
    private static final String RESERVE = """
            local amount = tonumber(ARGV[1])
            local limit = tonumber(ARGV[2])
            local now = redis.call('TIME')
            local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            if current + amount > limit then
              return {0, current, redis.call('PTTL', KEYS[1]), 0}
            end
            local value = redis.call('INCRBY', KEYS[1], amount)
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl < 0 then
              ttl = tonumber(ARGV[3])
              redis.call('PEXPIRE', KEYS[1], ttl)
            end
            return {1, value, ttl, nowMs + ttl}
            """;

    /**
     * KEYS[1] counter; ARGV tokens to give back (reserved - used), window expiry epoch ms. Gives back only while the
     * reservation's window lives (its expiry matches, within a second of clock rounding) and never below zero.
     * Returns the tokens given back, or -1 when the window is gone.
     */
    private static final String RECONCILE = """
            local ttl = redis.call('PTTL', KEYS[1])
            if ttl <= 0 then
              return -1
            end
            local now = redis.call('TIME')
            local expiresAt = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ttl
            if math.abs(expiresAt - tonumber(ARGV[2])) > 1000 then
              return -1
            end
            local current = tonumber(redis.call('GET', KEYS[1]) or '0')
            local delta = tonumber(ARGV[1])
            if delta > current then
              delta = current
            end
            redis.call('DECRBY', KEYS[1], delta)
            return delta
            """;

    @SuppressWarnings("rawtypes")
    private static final RedisScript<List> RESERVE_SCRIPT = RedisScript.of(RESERVE, List.class);
    private static final RedisScript<Long> RECONCILE_SCRIPT = RedisScript.of(RECONCILE, Long.class);

    private final ReactiveStringRedisTemplate redis;
    private final TpmProperties properties;
    private final Scheduler timer;

    public TokenRateLimiter(ReactiveStringRedisTemplate redis, TpmProperties properties, Scheduler timer) {
        this.redis = redis;
        this.properties = properties;
        this.timer = timer;
    }

    /** Reserves {@code tokens}, waiting up to {@code maxWait} for room; cancellable while it waits. */
    public Mono<Reservation> reserve(long tokens) {
        return Mono.defer(() -> {
            long deadline = nowMs() + properties.maxWait().toMillis();
            Duration poll = properties.pollInterval();
            return tryReserve(tokens)
                    .repeatWhenEmpty(emptyRounds -> emptyRounds.concatMap(round -> {
                        long left = deadline - nowMs();
                        if (left <= 0) {
                            return Mono.error(new RateLimitedException(
                                    "the model's token rate limit is reached; retry in a minute"));
                        }
                        return Mono.delay(left < poll.toMillis() ? Duration.ofMillis(left) : poll, timer);
                    }))
                    .onErrorResume(error -> !(error instanceof RateLimitedException), error -> {
                        log.warn("token reservation skipped, Redis failed: {}", error.toString());
                        return Mono.just(Reservation.none());
                    });
        });
    }

    /**
     * Settles a reservation with the tokens really used (once; later calls do nothing). Fire-and-forget by design: it
     * runs after the stream ended, also after a cancel, when there is no subscriber left to wait for it; a lost
     * settlement only over-reserves until the window expires.
     */
    public void settle(Reservation reservation, long usedTokens) {
        reconcile(reservation, usedTokens).subscribe(
                returned -> log.debug("reservation settled: {} tokens given back", returned),
                error -> log.warn("token reservation not reconciled: {}", error.toString()));
    }

    /** Gives back {@code reserved - used} tokens while the reservation's window lives; emits the tokens given back. */
    public Mono<Long> reconcile(Reservation reservation, long usedTokens) {
        if (reservation.tokens() == 0 || !reservation.markSettled()) {
            return Mono.just(0L);
        }
        long giveBack = reservation.tokens() - Math.max(0, usedTokens);
        if (giveBack == 0) {
            return Mono.just(0L);
        }
        return redis.execute(RECONCILE_SCRIPT, List.of(properties.key()),
                        List.of(Long.toString(giveBack), Long.toString(reservation.windowExpiresAt())))
                .subscribeOn(Schedulers.boundedElastic())
                .next()
                .map(returned -> Math.max(0L, returned));
    }

    private Mono<Reservation> tryReserve(long tokens) {
        return redis.execute(RESERVE_SCRIPT, List.of(properties.key()),
                        List.of(Long.toString(tokens), Long.toString(properties.limit()),
                                Long.toString(properties.window().toMillis())))
                .subscribeOn(Schedulers.boundedElastic())
                .collectList()
                .flatMap(reply -> {
                    List<Long> values = longs(reply);
                    if (values.size() < 4 || values.get(0) != 1L) {
                        return Mono.empty();
                    }
                    return Mono.just(new Reservation(tokens, values.get(3)));
                });
    }

    /** The script's reply, whether the driver hands it over as one list or element by element. */
    private static List<Long> longs(List<?> reply) {
        List<?> flat = reply.size() == 1 && reply.get(0) instanceof List<?> inner ? inner : reply;
        List<Long> values = new ArrayList<>(flat.size());
        for (Object value : flat) {
            values.add(value instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(value)));
        }
        return values;
    }

    private long nowMs() {
        return timer.now(TimeUnit.MILLISECONDS);
    }
}
