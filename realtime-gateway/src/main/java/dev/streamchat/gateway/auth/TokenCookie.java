package dev.streamchat.gateway.auth;

import java.time.Duration;

import org.springframework.http.ResponseCookie;
import org.springframework.stereotype.Component;

import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;

/**
 * The {@code token} cookie: {@code Path=/; HttpOnly; SameSite=Lax; Max-Age=<JWT_TTL>} (+ {@code Secure} when
 * {@code COOKIE_SECURE=true}), and reading it back from a raw {@code Cookie} header (Socket.IO handshakes).
 */
@Component
public class TokenCookie {

    public static final String NAME = "token";

    private final boolean secure;
    private final Duration ttl;

    public TokenCookie(AuthProperties properties) {
        this.secure = properties.cookieSecure();
        this.ttl = properties.jwtTtl();
    }

    public ResponseCookie issue(String jwt) {
        return base(jwt).maxAge(ttl).build();
    }

    public ResponseCookie clear() {
        return base("").maxAge(Duration.ZERO).build();
    }

    private ResponseCookie.ResponseCookieBuilder base(String value) {
        return ResponseCookie.from(NAME, value).path("/").httpOnly(true).sameSite("Lax").secure(secure);
    }

    /** The {@code token} value in one or more {@code Cookie} header values, or null. */
    public static String fromHeaders(Iterable<String> cookieHeaders) {
        if (cookieHeaders == null) {
            return null;
        }
        for (String header : cookieHeaders) {
            if (header == null || header.isBlank()) {
                continue;
            }
            for (Cookie cookie : ServerCookieDecoder.LAX.decode(header)) {
                if (NAME.equals(cookie.name()) && !cookie.value().isEmpty()) {
                    return cookie.value();
                }
            }
        }
        return null;
    }
}
