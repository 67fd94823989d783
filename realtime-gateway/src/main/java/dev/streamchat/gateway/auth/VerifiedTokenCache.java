package dev.streamchat.gateway.auth;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tokens that verified, by their SHA-256, so a token seen again (the socket's handshake, then every REST call of the
 * same browser) is not parsed and its signature checked again: that was a fifth of a stream start's CPU on the event
 * loop. A token is served from here only before its expiry; revocation is checked on every use elsewhere, never
 * cached here. Bounded: when full it is emptied, which costs only re-verification.
 */
final class VerifiedTokenCache {

    static final int MAX_ENTRIES = 10_000;

    private final ConcurrentHashMap<String, VerifiedToken> byHash = new ConcurrentHashMap<>();

    /** The token with this hash if it verified before and has not expired at {@code now}; else null. */
    VerifiedToken get(String hash, Instant now) {
        VerifiedToken token = byHash.get(hash);
        if (token == null) {
            return null;
        }
        if (!now.isBefore(token.expiresAt())) {
            byHash.remove(hash, token);
            return null;
        }
        return token;
    }

    void put(VerifiedToken token) {
        if (byHash.size() >= MAX_ENTRIES) {
            byHash.clear();
        }
        byHash.put(token.hash(), token);
    }

    int size() {
        return byHash.size();
    }
}
