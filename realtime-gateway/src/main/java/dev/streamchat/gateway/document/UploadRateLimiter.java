package dev.streamchat.gateway.document;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import io.lettuce.core.ScriptOutputType;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import reactor.core.publisher.Mono;

/**
 * Uploads per user per minute ({@code UPLOAD_RATE_PER_MIN}), a fixed one-minute window counted in Redis so every
 * node shares it. Checked before the body is read, so a refused upload costs one Redis call. A refusal is 429
 * {@code rate_limited} with {@code Retry-After} = seconds until the window ends.
 */
@Component
class UploadRateLimiter {

    static final String TAKE = """
            local n = redis.call('INCR', KEYS[1])
            if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
            return n
            """;

    private final GatewayRedis redis;
    private final DocumentProperties properties;
    private final Clock clock;

    @Autowired
    UploadRateLimiter(GatewayRedis redis, DocumentProperties properties) {
        this(redis, properties, Clock.systemUTC());
    }

    UploadRateLimiter(GatewayRedis redis, DocumentProperties properties, Clock clock) {
        this.redis = redis;
        this.properties = properties;
        this.clock = clock;
    }

    Mono<Void> acquire(String userId) {
        long now = clock.millis();
        long window = now / 60_000;
        return redis.commands()
                .flatMap(r -> r.<Long>eval(TAKE, ScriptOutputType.INTEGER,
                        new String[] {"doc:upload:rate:{" + userId + "}:" + window}, "61000").next())
                .timeout(StoreTimeouts.CALL)
                .onErrorMap(StoreUnavailable::map)
                .flatMap(count -> count <= properties.uploadsPerMinute() ? Mono.<Void>empty()
                        : Mono.error(new ApiException(ErrorCode.RATE_LIMITED,
                                "At most " + properties.uploadsPerMinute() + " uploads per minute; try again shortly.",
                                Duration.ofMillis((window + 1) * 60_000 - now), Map.of())));
    }
}
