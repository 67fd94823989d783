package dev.streamchat.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import reactor.core.publisher.Mono;

/**
 * The logout denylist: a revoked token stays unusable until it expires. Kept in Redis as
 * {@code auth:revoked:<sha256>} with a TTL of the token's remaining lifetime (so every node sees it), and in this
 * node's memory (so the node that logged out refuses it even while Redis is down, and socket auth can check it
 * without waiting). A Redis that cannot be reached in {@value #REDIS_CHECK_MS} ms counts as "not revoked"
 * (fail-open): the alternative would sign every user out during a Redis outage. Thread-safe; never blocks.
 */
@Component
public class RevokedTokens {

    private static final Logger log = LoggerFactory.getLogger(RevokedTokens.class);
    static final String KEY_PREFIX = "auth:revoked:";
    static final long REDIS_CHECK_MS = 500;

    private final GatewayRedis redis;
    private final Clock clock;
    private final Map<String, Instant> local = new ConcurrentHashMap<>();

    @Autowired
    public RevokedTokens(GatewayRedis redis) {
        this(redis, Clock.systemUTC());
    }

    RevokedTokens(GatewayRedis redis, Clock clock) {
        this.redis = redis;
        this.clock = clock;
    }

    /** Revokes {@code token} until it expires; completes once Redis has it or could not be reached. */
    public Mono<Void> revoke(VerifiedToken token) {
        Instant now = clock.instant();
        local.values().removeIf(expiry -> expiry.isBefore(now));
        long ttlSeconds = Math.max(1, Duration.between(now, token.expiresAt()).toSeconds() + 1);
        local.put(token.hash(), token.expiresAt());
        return redis.commands()
                .flatMap(commands -> commands.setex(KEY_PREFIX + token.hash(), ttlSeconds, "1"))
                .timeout(Duration.ofMillis(REDIS_CHECK_MS * 4))
                .doOnError(e -> log.warn("token revocation not stored in Redis (this node still refuses it) error={}", e.toString()))
                .onErrorResume(e -> Mono.empty())
                .then();
    }

    /** True when this node revoked the token (no I/O: safe on an event loop). */
    public boolean isRevokedLocally(String tokenHash) {
        Instant expiry = local.get(tokenHash);
        return expiry != null && expiry.isAfter(clock.instant());
    }

    /** True when any node revoked the token; false when Redis does not answer in time (fail-open, see above). */
    public Mono<Boolean> isRevoked(String tokenHash) {
        if (isRevokedLocally(tokenHash)) {
            return Mono.just(true);
        }
        return redis.commands()
                .flatMap(commands -> commands.exists(KEY_PREFIX + tokenHash))
                .map(count -> count > 0)
                .timeout(Duration.ofMillis(REDIS_CHECK_MS))
                .doOnError(e -> log.debug("token revocation check skipped: Redis unavailable error={}", e.toString()))
                .onErrorReturn(false)
                .defaultIfEmpty(false);
    }
}
