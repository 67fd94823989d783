package dev.streamchat.gateway.stream;

import dev.streamchat.gateway.socket.EncodedPayload;

/** Lets the benchmarks call the gateway's package-private token encoder directly (same package on the classpath). */
public final class TokenEncoderAccess {

    private final TokenEncoder encoder;

    public TokenEncoderAccess(String sessionId, String streamId) {
        this.encoder = new TokenEncoder(sessionId, streamId);
    }

    public EncodedPayload encode(long seq, String token) {
        return encoder.encode(seq, token);
    }
}
