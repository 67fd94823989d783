package dev.streamchat.ai.stream;

/**
 * The model (provider) failed a call: raised by {@link TokenStreamBridge} around whatever the provider reported, so
 * the pipeline can tell an upstream failure from its own bugs. The cause's message may quote the provider's
 * response: log it, never send it to clients.
 */
public class ModelCallException extends RuntimeException {

    public ModelCallException(Throwable cause) {
        super("model call failed: " + cause.getClass().getSimpleName(), cause);
    }
}
