package dev.streamchat.gateway.socket;

/**
 * A socket payload that belongs to one stream: {@link ResumeGates} holds it while that stream is being replayed to
 * a socket. Token payloads carry their {@code seq} (from 1); every other stream event has none (0).
 */
public interface StreamPayload {

    String streamId();

    default long seq() {
        return 0;
    }
}
