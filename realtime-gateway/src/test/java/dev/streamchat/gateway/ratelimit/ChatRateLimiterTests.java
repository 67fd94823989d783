package dev.streamchat.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.streamchat.gateway.config.MovableClock;
import dev.streamchat.gateway.config.TestRedis;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The per-user token bucket against a real (embedded) Redis, with a clock the test moves. */
class ChatRateLimiterTests {

    static TestRedis redis;

    @BeforeAll
    static void start() {
        redis = TestRedis.start();
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    private static ChatRateLimiter limiter(GatewayRedis store, int perMinute, MovableClock clock) {
        return new ChatRateLimiter(store, new RateLimitProperties(perMinute), new SimpleMeterRegistry(), clock);
    }

    private static String newUser() {
        return "r" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ApiException refusal(Mono<Void> acquire) {
        try {
            acquire.block(Duration.ofSeconds(10));
        } catch (ApiException e) {
            return e;
        }
        throw new AssertionError("the request was let through");
    }

    @Test
    void aFullBucketLetsAMinutesAllowanceThroughThenRefusesWithTheWaitForOneToken() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
        ChatRateLimiter limiter = limiter(redis.gatewayRedis(), 3, clock);
        String user = newUser();
        for (int i = 0; i < 3; i++) {
            limiter.acquire(user).block(Duration.ofSeconds(10));
        }
        ApiException refused = refusal(limiter.acquire(user));
        assertThat(refused.code()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(20)); // 3 a minute: one every 20 s
        // Another user has a bucket of their own.
        limiter.acquire(newUser()).block(Duration.ofSeconds(10));
    }

    @Test
    void theBucketRefillsContinuouslyAndARefusalTakesNothing() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
        ChatRateLimiter limiter = limiter(redis.gatewayRedis(), 6, clock);
        String user = newUser();
        for (int i = 0; i < 6; i++) {
            limiter.acquire(user).block(Duration.ofSeconds(10));
        }
        clock.advance(Duration.ofSeconds(4)); // 0.4 of a token back (one per 10 s)
        assertThat(refusal(limiter.acquire(user)).retryAfter()).isEqualTo(Duration.ofSeconds(6));
        assertThat(refusal(limiter.acquire(user)).retryAfter()).isEqualTo(Duration.ofSeconds(6));
        clock.advance(Duration.ofSeconds(6));
        limiter.acquire(user).block(Duration.ofSeconds(10));
        assertThat(refusal(limiter.acquire(user)).retryAfter()).isEqualTo(Duration.ofSeconds(10));
        // A long pause fills the bucket up to its capacity, not beyond.
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 6; i++) {
            limiter.acquire(user).block(Duration.ofSeconds(10));
        }
        assertThat(refusal(limiter.acquire(user)).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void concurrentRequestsOnTwoNodesNeverTakeMoreThanTheBucketHolds() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
        ChatRateLimiter nodeA = limiter(redis.gatewayRedis(), 10, clock);
        ChatRateLimiter nodeB = limiter(redis.gatewayRedis(), 10, clock);
        String user = newUser();
        Long passed = Flux.range(0, 40)
                .flatMap(i -> (i % 2 == 0 ? nodeA : nodeB).acquire(user).thenReturn(1L)
                        .onErrorResume(ApiException.class, e -> Mono.just(0L)), 40)
                .reduce(0L, Long::sum)
                .block(Duration.ofSeconds(20));
        assertThat(passed).isEqualTo(10L);
    }

    @Test
    void anIdleUsersBucketExpiresOnceItWouldBeFullAgain() {
        MovableClock clock = new MovableClock(Instant.parse("2026-12-02T10:00:00Z"));
        ChatRateLimiter limiter = limiter(redis.gatewayRedis(), 30, clock);
        String user = newUser();
        limiter.acquire(user).block(Duration.ofSeconds(10));
        limiter.acquire(user).block(Duration.ofSeconds(10));
        Long ttl = redis.gatewayRedis().commands().flatMap(r -> r.pttl(ChatRateLimiter.bucketKey(user)))
                .block(Duration.ofSeconds(10));
        assertThat(ttl).isBetween(1_000L, 5_000L); // two tokens at one per 2 s, plus a second of slack
    }

    @Test
    void redisDownIsA503NotALetThrough() {
        RedisClient client = RedisClient.create();
        try (GatewayRedis unreachable = new GatewayRedis(client, RedisURI.create("redis://127.0.0.1:1"))) {
            ChatRateLimiter limiter = limiter(unreachable, 30, new MovableClock(Instant.now()));
            assertThatThrownBy(() -> limiter.acquire(newUser()).block(Duration.ofSeconds(10)))
                    .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
        } finally {
            client.shutdown();
        }
    }
}
