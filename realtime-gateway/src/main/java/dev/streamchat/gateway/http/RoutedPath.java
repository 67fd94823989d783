package dev.streamchat.gateway.http;

import org.springframework.http.server.PathContainer;

/**
 * The request path as the router matches it: each segment decoded ({@code %61pi} is {@code api}) and stripped of
 * its {@code ;params} ({@code /api;x/v1} is {@code /api/v1}). Filters that decide by path decide on this, never on
 * the raw spelling, so they and the router always agree on which handler a request reaches.
 */
public final class RoutedPath {

    private RoutedPath() {
    }

    public static String of(PathContainer path) {
        StringBuilder out = new StringBuilder(path.value().length());
        for (PathContainer.Element element : path.elements()) {
            if (element instanceof PathContainer.PathSegment segment) {
                out.append(segment.valueToMatch());
            } else {
                out.append(element.value());
            }
        }
        return out.toString();
    }
}
