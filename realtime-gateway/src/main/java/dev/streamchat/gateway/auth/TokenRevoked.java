package dev.streamchat.gateway.auth;

/**
 * Published (as a Spring application event) when a token is revoked by logout: whatever holds a session
 * authenticated by that token on this node ends it. Carries the token's hash, never the token.
 * {@code fromOtherNode}: the logout happened on another gateway node and reached this one over the cluster fan-out
 * (such an event is not sent on again).
 */
public record TokenRevoked(String userId, String tokenHash, boolean fromOtherNode) {

    /** A logout on this node. */
    public TokenRevoked(String userId, String tokenHash) {
        this(userId, tokenHash, false);
    }
}
