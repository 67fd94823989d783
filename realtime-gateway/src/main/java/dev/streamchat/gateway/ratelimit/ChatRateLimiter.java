package dev.streamchat.gateway.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import reactor.core.publisher.Mono;

/**
 * A token bucket per user ({@code RATE_LIMIT_CHAT_PER_MIN} tokens, refilled continuously over a minute) kept in
 * Redis, so every gateway node shares it. Taking a token is one Lua script, one trip to Redis: the refill, the
 * check and the take are atomic, so concurrent requests of a user on any number of nodes never take more than the
 * bucket holds. A refusal is 429 {@code rate_limited} with {@code Retry-After} = seconds until one token is back.
 */
@Component
public class ChatRateLimiter {

    /**
     * KEYS[1] the bucket (hash: tokens, at); ARGV capacity, refill period (ms), now (ms). Returns {1, 0} when a token
     * was taken, else {0, ms until one is back}. The key expires once the bucket would be full again, so an idle
     * user costs nothing. A clock that went back (another node's) refills nothing rather than failing.
     */
    static final String TAKE = """
            local capacity = tonumber(ARGV[1])
            local period = tonumber(ARGV[2])
            local now = tonumber(ARGV[3])
            local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
            local tokens = tonumber(state[1])
            local at = tonumber(state[2])
            if tokens == nil or at == nil then
              tokens = capacity
              at = now
            elseif now > at then
              tokens = math.min(capacity, tokens + (now - at) * capacity / period)
              at = now
            end
            local taken = 0
            local wait = 0
            if tokens >= 1 then
              tokens = tokens - 1
              taken = 1
            else
              wait = math.ceil((1 - tokens) * period / capacity)
            end
            redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', at)
            redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * period / capacity) + 1000)
            return {taken, wait}
            """;

    static final Duration REFILL_PERIOD = Duration.ofMinutes(1);

    private final GatewayRedis redis;
    private final String capacity;
    private final Clock clock;
    private final Counter rejected;

    @Autowired
    public ChatRateLimiter(GatewayRedis redis, RateLimitProperties properties, MeterRegistry meters) {
        this(redis, properties, meters, Clock.systemUTC());
    }

    ChatRateLimiter(GatewayRedis redis, RateLimitProperties properties, MeterRegistry meters, Clock clock) {
        this.redis = redis;
        this.capacity = Integer.toString(properties.chatPerMinute());
        this.clock = clock;
        this.rejected = Counter.builder("gateway.ratelimit.rejected")
                .description("Chat requests refused by the per-user rate limit").register(meters);
    }

    /** Takes one token for {@code userId}, or fails with 429 (503 when Redis is down or slow). */
    public Mono<Void> acquire(String userId) {
        return redis.commands()
                .flatMap(r -> r.<List<Long>>eval(TAKE, ScriptOutputType.MULTI, new String[] {bucketKey(userId)}, capacity,
                        Long.toString(REFILL_PERIOD.toMillis()), Long.toString(clock.millis())).next())
                .timeout(StoreTimeouts.CALL)
                .onErrorMap(StoreUnavailable::map)
                .flatMap(this::decide);
    }

    static String bucketKey(String userId) {
        return "chat:ratelimit:{" + userId + "}:bucket";
    }

    private Mono<Void> decide(List<Long> result) {
        if (result.get(0) == 1L) {
            return Mono.empty();
        }
        rejected.increment();
        return Mono.error(new ApiException(ErrorCode.RATE_LIMITED, "Too many chat requests; slow down.",
                Duration.ofMillis(result.get(1)), Map.of()));
    }
}
