package dev.streamchat.gateway.socket;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import com.corundumstudio.socketio.SocketIOServer;

/**
 * Binds the Socket.IO server on {@code SOCKET_PORT} when the context starts and releases it when the context stops.
 * A port in use fails the start.
 */
public class SocketServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SocketServerLifecycle.class);

    private final SocketIOServer server;
    private final SocketProperties properties;
    private volatile boolean running;

    SocketServerLifecycle(SocketIOServer server, SocketProperties properties) {
        this.server = server;
        this.properties = properties;
    }

    @Override
    public void start() {
        server.start();
        running = true;
        log.info("Socket.IO server listening on {}:{}", properties.host(), properties.port());
    }

    @Override
    public void stop() {
        if (running) {
            running = false;
            server.stop();
            log.info("Socket.IO server stopped");
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
