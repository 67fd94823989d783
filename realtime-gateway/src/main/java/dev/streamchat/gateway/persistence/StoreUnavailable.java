package dev.streamchat.gateway.persistence;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;

/** Maps a Redis or MongoDB failure (down, timed out) to the 503 {@code unavailable} a client may retry. */
public final class StoreUnavailable {

    private StoreUnavailable() {
    }

    /** Leaves {@link ApiException}s alone; anything else from a store becomes 503 with {@code Retry-After: 2}. */
    public static Throwable map(Throwable error) {
        if (error instanceof ApiException) {
            return error;
        }
        String what = error instanceof TimeoutException ? "timed out" : "unreachable";
        return new ApiException(ErrorCode.UNAVAILABLE, "A storage service is " + what + "; try again shortly.",
                Duration.ofSeconds(2), Map.of());
    }
}
