package dev.streamchat.gateway.auth;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The browser origins allowed to use the cookie ({@code ALLOWED_ORIGINS}): REST CSRF check and Socket.IO handshakes.
 * Comparison is exact on scheme, host and port (case-insensitive, a trailing slash ignored); {@code null} is never allowed.
 */
@Component
public class AllowedOrigins {

    private final Set<String> origins;

    @Autowired
    public AllowedOrigins(AuthProperties properties) {
        this(properties.allowedOrigins());
    }

    AllowedOrigins(List<String> origins) {
        this.origins = origins.stream()
                .flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(AllowedOrigins::normalise)
                .filter(value -> !value.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    public boolean isAllowed(String origin) {
        if (origin == null) {
            return false;
        }
        String normalised = normalise(origin);
        return !normalised.isEmpty() && !"null".equals(normalised) && origins.contains(normalised);
    }

    public Set<String> values() {
        return origins;
    }

    private static String normalise(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed;
    }
}
