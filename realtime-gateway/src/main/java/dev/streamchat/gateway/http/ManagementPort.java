package dev.streamchat.gateway.http;

import java.net.InetSocketAddress;

import org.springframework.core.env.Environment;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * Tells requests to the separate management server ({@code MANAGEMENT_PORT}, loopback by default) from requests to
 * the public REST port. The management server runs in a child context that inherits this application's web
 * filters; it is protected by where it listens, not by a user's JWT, so the JWT filter lets its requests through.
 */
@Component
public class ManagementPort {

    private final Environment environment;
    private volatile int port;

    public ManagementPort(Environment environment) {
        this.environment = environment;
    }

    /** Whether {@code request} arrived on the management server (never true when it shares the REST port). */
    public boolean received(ServerHttpRequest request) {
        int management = port;
        if (management == 0) {
            Integer actual = environment.getProperty("local.management.port", Integer.class);
            Integer server = environment.getProperty("local.server.port", Integer.class);
            if (actual == null || server == null || actual <= 0 || actual.equals(server)) {
                return false;
            }
            port = management = actual;
        }
        InetSocketAddress local = request.getLocalAddress();
        return local != null && local.getPort() == management;
    }
}
