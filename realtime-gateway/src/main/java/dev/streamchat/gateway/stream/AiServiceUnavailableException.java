package dev.streamchat.gateway.stream;

/**
 * The ai-service did not answer a stream request with a 2xx status: refused, reset, a non-2xx status,
 * no status within the deadline, or no free connection in the pool.
 */
public class AiServiceUnavailableException extends RuntimeException {

    private final int status;

    public AiServiceUnavailableException(String message, int status, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** The HTTP status the ai-service answered, or 0 when it answered none. */
    public int status() {
        return status;
    }
}
