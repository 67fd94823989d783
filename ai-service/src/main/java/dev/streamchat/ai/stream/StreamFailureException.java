package dev.streamchat.ai.stream;

import dev.streamchat.ai.error.ErrorCode;

/**
 * Ends an answer stream with an {@code error} event of {@link #code()}; {@code getMessage()} is what the event's
 * {@code message} says, so it must be safe to show.
 */
public class StreamFailureException extends RuntimeException {

    private final ErrorCode code;

    public StreamFailureException(ErrorCode code, String safeMessage) {
        super(safeMessage);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
