package dev.streamchat.gateway.socket;

import java.net.URI;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;


/** {@code GET /api/v1/config}: where the browser finds the Socket.IO server (public, no JWT). */
@RestController
public class ClientConfigController {

    private final SocketProperties socket;

    public ClientConfigController(SocketProperties socket) {
        this.socket = socket;
    }

    record ClientConfig(String socketUrl) {
    }

    @GetMapping("/api/v1/config")
    public ClientConfig config(ServerHttpRequest request) {
        if (socket.publicUrl() != null && !socket.publicUrl().isBlank()) {
            return new ClientConfig(socket.publicUrl().trim());
        }
        URI uri = request.getURI();
        String scheme = uri.getScheme() == null ? "http" : uri.getScheme();
        String host = uri.getHost() == null ? "localhost" : uri.getHost();
        if (host.contains(":") && !host.startsWith("[")) {
            host = "[" + host + "]";
        }
        return new ClientConfig(scheme + "://" + host + ":" + socket.port());
    }
}
