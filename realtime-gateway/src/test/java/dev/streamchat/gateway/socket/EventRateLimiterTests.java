package dev.streamchat.gateway.socket;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventRateLimiterTests {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void allowsABurstOfTheRateThenRefillsContinuously() {
        EventRateLimiter limiter = new EventRateLimiter(10, 0);
        assertThat(limiter.tryAcquire(10, 0)).isTrue();
        assertThat(limiter.tryAcquire(1, 0)).isFalse();
        assertThat(limiter.tryAcquire(1, SECOND / 10)).isTrue();
        assertThat(limiter.tryAcquire(1, SECOND / 10)).isFalse();
        assertThat(limiter.tryAcquire(10, 2 * SECOND)).isTrue();
    }

    @Test
    void aBatchOverTheBudgetTakesNothing() {
        EventRateLimiter limiter = new EventRateLimiter(5, 0);
        assertThat(limiter.tryAcquire(6, 0)).isFalse();
        assertThat(limiter.tryAcquire(5, 0)).isTrue();
        assertThat(limiter.tryAcquire(0, 0)).isTrue();
    }
}
