package dev.streamchat.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

import org.springframework.test.context.DynamicPropertyRegistry;

import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * Embedded Redis and MongoDB-wire servers on free ports, started once per test JVM, plus free ports: what the
 * full-stack tests of auth and sockets run against.
 */
public final class TestBackends {

    public static final String JWT_SECRET = "test-secret-test-secret-test-secret-0123456789";
    public static final String AI_KEY = "test-ai-key";
    public static final String ALLOWED_ORIGIN = "http://app.example:8080";

    private static EmbeddedRedis redis;
    private static EmbeddedMongo mongo;

    private TestBackends() {
    }

    /**
     * The JVM's backends plus the context's own Socket.IO port. Every context needs a port of its own: a cached
     * context keeps its Socket.IO server (and port) while another context runs.
     */
    public static synchronized void register(DynamicPropertyRegistry registry, int ownSocketPort) {
        if (redis == null) {
            redis = EmbeddedRedis.start(0);
            mongo = EmbeddedMongo.inMemory();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                mongo.close();
                redis.close();
            }));
        }
        registry.add("spring.data.redis.url", redis::url);
        registry.add("spring.mongodb.uri", () -> mongo.uri("chat"));
        registry.add("gateway.socket.port", () -> ownSocketPort);
        registry.add("gateway.socket.host", () -> "127.0.0.1");
    }

    public static synchronized String mongoUri() {
        return mongo.uri("chat");
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
