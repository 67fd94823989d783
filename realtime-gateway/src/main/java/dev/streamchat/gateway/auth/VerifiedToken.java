package dev.streamchat.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * A JWT that verified: who it names, when it expires, and its SHA-256 (hex), the name under which it is revoked by
 * logout. The raw token is never kept.
 */
public record VerifiedToken(AuthenticatedUser user, String hash, Instant expiresAt) {

    /** The exchange attribute under which the REST filter puts the caller's token. */
    public static final String EXCHANGE_ATTRIBUTE = VerifiedToken.class.getName();

    /** The key under which a socket keeps the token it authenticated with. */
    public static final String SOCKET_KEY = "token";

    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.trim().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }
}
