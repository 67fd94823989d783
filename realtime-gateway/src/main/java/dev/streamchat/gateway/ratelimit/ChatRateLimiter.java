package dev.streamchat.gateway.ratelimit;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import reactor.core.publisher.Mono;

/**
 * A token bucket per user ({@code RATE_LIMIT_CHAT_PER_MIN}, refilled greedily over a minute) kept in Redis
 * by Bucket4j, so every gateway node shares it. A refusal is 429 {@code rate_limited} with
 * {@code Retry-After} = seconds until one token is back.
 */
@Component
public class ChatRateLimiter {

    private static final int MAX_CACHED_BUCKETS = 10_000;

    private final GatewayRedis redis;
    private final BucketConfiguration configuration;
    private final AtomicReference<AsyncProxyManager<String>> buckets = new AtomicReference<>();
    private final Counter rejected;
    private final Map<String, AsyncBucketProxy> proxies = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, AsyncBucketProxy> eldest) {
            return size() > MAX_CACHED_BUCKETS;
        }
    };

    public ChatRateLimiter(GatewayRedis redis, RateLimitProperties properties, MeterRegistry meters) {
        this.redis = redis;
        int perMinute = properties.chatPerMinute();
        this.configuration = BucketConfiguration.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build();
        this.rejected = Counter.builder("gateway.ratelimit.rejected")
                .description("Chat requests refused by the per-user rate limit").register(meters);
    }

    /** Takes one token for {@code userId}, or fails with 429 (503 when Redis is down). */
    public Mono<Void> acquire(String userId) {
        return proxyManager()
                .flatMap(manager -> Mono.fromFuture(() -> bucket(manager, userId).tryConsumeAndReturnRemaining(1)))
                .timeout(StoreTimeouts.CALL)
                .onErrorMap(StoreUnavailable::map)
                .flatMap(this::decide);
    }

    /**
     * One proxy per user, kept while recently used: with the batching optimisation, concurrent requests of one
     * user on this node share one compare-and-swap round trip instead of retrying against each other.
     */
    private AsyncBucketProxy bucket(AsyncProxyManager<String> manager, String userId) {
        synchronized (proxies) {
            return proxies.computeIfAbsent(userId, id -> manager.builder()
                    .withOptimization(Optimizations.batching())
                    .build("chat:ratelimit:" + id, () -> CompletableFuture.completedFuture(configuration)));
        }
    }

    private Mono<Void> decide(ConsumptionProbe probe) {
        if (probe.isConsumed()) {
            return Mono.empty();
        }
        rejected.increment();
        Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
        return Mono.error(new ApiException(ErrorCode.RATE_LIMITED, "Too many chat requests; slow down.", wait, Map.of()));
    }

    private Mono<AsyncProxyManager<String>> proxyManager() {
        AsyncProxyManager<String> existing = buckets.get();
        if (existing != null) {
            return Mono.just(existing);
        }
        return redis.bytes().map(connection -> {
            AsyncProxyManager<String> created = Bucket4jLettuce.casBasedBuilder(connection)
                    .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(Duration.ofSeconds(10)))
                    .build()
                    .asAsync();
            return buckets.compareAndSet(null, created) ? created : buckets.get();
        });
    }
}
