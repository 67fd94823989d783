package dev.streamchat.gateway.auth;

/**
 * Published (as a Spring application event) when a token is revoked by logout: whatever holds a session
 * authenticated by that token on this node ends it. Carries the token's hash, never the token.
 */
public record TokenRevoked(String userId, String tokenHash) {
}
