package dev.streamchat.gateway.socket;

import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import com.corundumstudio.socketio.SocketIOChannelInitializer;
import com.corundumstudio.socketio.SocketIOServer;

/**
 * Binds the Socket.IO server on {@code SOCKET_PORT} when the context starts and releases it when the context stops.
 * A port in use fails the start.
 * <p>
 * Restartable: {@link SocketIOServer#stop()} shuts down the timer of its channel initializer for good (a handshake on
 * a restarted server would fail with "cannot be started once stopped"), so every start installs a new one.
 * Not pauseable: a paused context (Spring's test context cache pauses the contexts it is not using) keeps its
 * server and port; releasing a fixed port while paused would let another server take it before the restart.
 */
public class SocketServerLifecycle implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SocketServerLifecycle.class);

    private final SocketIOServer server;
    private final Supplier<SocketIOChannelInitializer> pipelines;
    private final SocketProperties properties;
    private volatile boolean running;

    SocketServerLifecycle(SocketIOServer server, Supplier<SocketIOChannelInitializer> pipelines,
                          SocketProperties properties) {
        this.server = server;
        this.pipelines = pipelines;
        this.properties = properties;
    }

    @Override
    public void start() {
        server.setPipelineFactory(pipelines.get());
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

    @Override
    public boolean isPauseable() {
        return false;
    }
}
