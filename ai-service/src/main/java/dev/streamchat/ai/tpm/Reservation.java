package dev.streamchat.ai.tpm;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Tokens reserved in one window of the counter. {@code windowExpiresAt} (epoch ms, by the Redis clock) identifies the
 * window: reconciling only touches the counter while that same window lives.
 */
public final class Reservation {

    /** What a provider without a budget "reserves". */
    public static Reservation none() {
        return new Reservation(0, 0);
    }

    private final long tokens;
    private final long windowExpiresAt;
    private final AtomicBoolean settled = new AtomicBoolean();

    public Reservation(long tokens, long windowExpiresAt) {
        this.tokens = tokens;
        this.windowExpiresAt = windowExpiresAt;
    }

    public long tokens() {
        return tokens;
    }

    public long windowExpiresAt() {
        return windowExpiresAt;
    }

    /** True exactly once: the first caller settles the reservation. */
    boolean markSettled() {
        return settled.compareAndSet(false, true);
    }

    @Override
    public String toString() {
        return "Reservation[tokens=" + tokens + ", windowExpiresAt=" + windowExpiresAt + "]";
    }
}
