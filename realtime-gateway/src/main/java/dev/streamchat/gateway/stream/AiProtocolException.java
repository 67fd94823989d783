package dev.streamchat.gateway.stream;

/** The ai-service broke the SSE protocol (not JSON, an over-long line): the stream fails with {@code upstream_error}. */
public class AiProtocolException extends RuntimeException {

    public AiProtocolException(String message) {
        super(message);
    }
}
