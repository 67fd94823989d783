package dev.streamchat.gateway.socket;

/**
 * A token bucket of {@code perSecond} packets, refilled continuously, with a burst of the same size. One per socket;
 * thread-safe because the polling transport may deliver one socket's POSTs on different event loops.
 */
final class EventRateLimiter {

    private final double capacity;
    private final double refillPerNano;
    private double available;
    private long lastRefill;

    EventRateLimiter(int perSecond, long nowNanos) {
        this(perSecond, java.time.Duration.ofSeconds(1), nowNanos);
    }

    /** {@code capacity} per {@code period}, refilled continuously, with a burst of {@code capacity}. */
    EventRateLimiter(int capacity, java.time.Duration period, long nowNanos) {
        this.capacity = capacity;
        this.refillPerNano = capacity / (double) period.toNanos();
        this.available = capacity;
        this.lastRefill = nowNanos;
    }

    /** Takes {@code count} packets; false when the socket is over its rate (nothing is taken then). */
    synchronized boolean tryAcquire(int count, long nowNanos) {
        if (count <= 0) {
            return true;
        }
        long elapsed = Math.max(0, nowNanos - lastRefill);
        available = Math.min(capacity, available + elapsed * refillPerNano);
        lastRefill = nowNanos;
        if (available + 1e-9 < count) {
            return false;
        }
        available -= count;
        return true;
    }
}
