package dev.streamchat.gateway.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Set;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.http.RoutedPath;

/**
 * The explicit allow-list of paths that need no JWT (contract section 2): {@code /} and the page's static files
 * (listed from {@code classpath:/static/} once at startup), {@code /api/v1/config}, dev-login and the health
 * endpoints. Every other path needs a token.
 *
 * <p>Decisions are made on the path the router matches, not on the raw request path: each segment decoded
 * ({@code %61pi} is {@code api}) and stripped of its {@code ;params} ({@code /api;x/v1} is {@code /api/v1}).
 * A spelling that differs in any other way ({@code //}, {@code /./}, case, a trailing slash, {@code %2F}) is not on
 * the list and so needs a token: whatever it routes to, it cannot reach a protected handler unauthenticated.
 */
@Component
public class PublicPaths {

    static final String DEV_LOGIN = "/api/v1/auth/dev-login";
    private static final Set<String> API = Set.of("/api/v1/config", DEV_LOGIN, "/v3/api-docs",
            "/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness");

    private final Set<String> staticFiles;

    public PublicPaths() {
        this.staticFiles = scanStaticFiles();
    }

    /** Whether {@code routedPath} (see {@link RoutedPath}) may be called without a token. */
    public boolean isPublic(String routedPath) {
        return API.contains(routedPath) || staticFiles.contains(routedPath);
    }

    Set<String> staticFiles() {
        return staticFiles;
    }

    private static Set<String> scanStaticFiles() {
        Set<String> files = new HashSet<>();
        files.add("/");
        try {
            Resource[] resources = new PathMatchingResourcePatternResolver().getResources("classpath*:/static/**");
            for (Resource resource : resources) {
                if (!resource.isReadable() || resource.getFilename() == null || resource.getFilename().isEmpty()) {
                    continue;
                }
                String url = resource.getURL().toString();
                int at = url.lastIndexOf("/static/");
                if (at >= 0 && !url.endsWith("/")) {
                    files.add(url.substring(at + "/static".length()));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the page's static files", e);
        }
        return Set.copyOf(files);
    }
}
