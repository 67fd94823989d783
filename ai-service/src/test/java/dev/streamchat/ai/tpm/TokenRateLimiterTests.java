package dev.streamchat.ai.tpm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;

import dev.streamchat.ai.config.EmbeddedStores;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The reservation scripts against a real (embedded) Redis through Lettuce. */
class TokenRateLimiterTests {

    private static final String KEY = "openai:tpm:counter";

    private static LettuceConnectionFactory connections;
    private static ReactiveStringRedisTemplate redis;

    @BeforeAll
    static void connect() {
        connections = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", EmbeddedStores.redisPort()));
        connections.afterPropertiesSet();
        connections.start();
        redis = new ReactiveStringRedisTemplate(connections);
    }

    @AfterAll
    static void disconnect() {
        connections.destroy();
    }

    @BeforeEach
    void clean() {
        redis.delete(KEY).block();
    }

    private static TokenRateLimiter limiter(long limit, Duration maxWait) {
        return new TokenRateLimiter(redis, new TpmProperties(limit, Duration.ofSeconds(70), maxWait,
                Duration.ofMillis(50), KEY), Schedulers.parallel());
    }

    private static long counter() {
        String value = redis.opsForValue().get(KEY).block();
        return value == null ? 0 : Long.parseLong(value);
    }

    @Test
    void aReservationGrowsTheCounterAndOpensA70SecondWindow() {
        TokenRateLimiter limiter = limiter(10_000, Duration.ofSeconds(1));

        Reservation first = limiter.reserve(1_200).block();
        Reservation second = limiter.reserve(300).block();

        assertThat(counter()).isEqualTo(1_500);
        Duration ttl = redis.getExpire(KEY).block();
        assertThat(ttl).isBetween(Duration.ofSeconds(65), Duration.ofSeconds(70));
        assertThat(first.tokens()).isEqualTo(1_200);
        // both reservations live in the same window
        assertThat(Math.abs(first.windowExpiresAt() - second.windowExpiresAt())).isLessThan(1_000);
    }

    @Test
    void reconcilingDropsTheCounterByReservedMinusUsed() {
        TokenRateLimiter limiter = limiter(10_000, Duration.ofSeconds(1));
        Reservation reservation = limiter.reserve(1_500).block();
        Duration ttlBefore = redis.getExpire(KEY).block();

        StepVerifier.create(limiter.reconcile(reservation, 400)).expectNext(1_100L).verifyComplete();

        assertThat(counter()).isEqualTo(400);
        assertThat(redis.getExpire(KEY).block()).isLessThanOrEqualTo(ttlBefore).isPositive(); // same window kept
        // settling twice gives nothing back twice
        StepVerifier.create(limiter.reconcile(reservation, 0)).expectNext(0L).verifyComplete();
        assertThat(counter()).isEqualTo(400);
    }

    @Test
    void reconcilingAfterTheWindowChangedLeavesTheNewWindowAlone() {
        TokenRateLimiter limiter = limiter(10_000, Duration.ofSeconds(1));
        Reservation current = limiter.reserve(700).block();
        // made in the window before this one, which expired 70 s before the current one will
        Reservation old = new Reservation(1_000, current.windowExpiresAt() - 70_000);

        StepVerifier.create(limiter.reconcile(old, 100)).expectNext(0L).verifyComplete();

        assertThat(counter()).isEqualTo(700);
    }

    @Test
    void reconcilingNeverTakesTheCounterBelowZero() {
        TokenRateLimiter limiter = limiter(10_000, Duration.ofSeconds(1));
        Reservation reservation = limiter.reserve(1_000).block();
        redis.opsForValue().decrement(KEY, 900).block(); // someone else already gave back

        limiter.reconcile(reservation, 0).block();

        assertThat(counter()).isZero();
    }

    @Test
    void waitsForRoomThenFailsWithRateLimited() {
        TokenRateLimiter limiter = limiter(1_000, Duration.ofMillis(600));
        limiter.reserve(900).block();
        long started = System.nanoTime();

        StepVerifier.create(limiter.reserve(200))
                .expectError(RateLimitedException.class)
                .verify(Duration.ofSeconds(5));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(550));
        assertThat(counter()).isEqualTo(900);
    }

    @Test
    void aTinyLimitRefusesEvenTheFirstRequestAfterTheWait() {
        TokenRateLimiter limiter = limiter(10, Duration.ofMillis(300));

        StepVerifier.create(limiter.reserve(1_024))
                .expectErrorSatisfies(error -> assertThat(error).isInstanceOf(RateLimitedException.class)
                        .hasMessageContaining("rate limit"))
                .verify(Duration.ofSeconds(5));
        assertThat(counter()).isZero();
    }

    @Test
    void aWaitingReservationGoesThroughOnceRoomIsGivenBack() {
        TokenRateLimiter limiter = limiter(1_000, Duration.ofSeconds(5));
        Reservation big = limiter.reserve(900).block();

        StepVerifier.create(limiter.reserve(500))
                .then(() -> limiter.reconcile(big, 100).block())
                .assertNext(reservation -> assertThat(reservation.tokens()).isEqualTo(500))
                .verifyComplete();

        assertThat(counter()).isEqualTo(600);
    }

    @Test
    void whenRedisIsUnreachableRequestsGoAheadUnmetered() {
        LettuceConnectionFactory nowhere = new LettuceConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", 1));
        nowhere.afterPropertiesSet();
        nowhere.start();
        try {
            TokenRateLimiter limiter = new TokenRateLimiter(new ReactiveStringRedisTemplate(nowhere),
                    new TpmProperties(1_000, Duration.ofSeconds(70), Duration.ofSeconds(1), Duration.ofMillis(50), KEY),
                    Schedulers.parallel());

            StepVerifier.create(limiter.reserve(100))
                    .assertNext(reservation -> assertThat(reservation.tokens()).isZero())
                    .verifyComplete();
        } finally {
            nowhere.destroy();
        }
    }
}
