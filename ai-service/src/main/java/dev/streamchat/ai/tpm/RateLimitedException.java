package dev.streamchat.ai.tpm;

import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.stream.StreamFailureException;

/** No room in the token budget within the wait: the stream ends with {@code error} {@code rate_limited}. */
public class RateLimitedException extends StreamFailureException {

    public RateLimitedException(String safeMessage) {
        super(ErrorCode.RATE_LIMITED, safeMessage);
    }
}
