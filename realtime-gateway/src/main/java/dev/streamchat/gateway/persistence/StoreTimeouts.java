package dev.streamchat.gateway.persistence;

import java.time.Duration;

/** The bound on every MongoDB and Redis call from a request: a dependency down answers 503 within 2 s. */
public final class StoreTimeouts {

    public static final Duration CALL = Duration.ofMillis(1800);

    private StoreTimeouts() {
    }
}
