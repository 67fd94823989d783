package dev.streamchat.gateway.config;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

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

    /** Test ports come from below the kernel's ephemeral range (32768-60999 on Linux), a slice per test JVM. */
    private static final int FIRST_PORT = 20_000;
    private static final int PORTS_PER_FORK = 3_000;
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    /**
     * A port that is free now, below the ephemeral range, and never handed out twice by this JVM. A port taken with
     * {@code bind(0)} and released is only reserved until the test binds it again (seconds later, after a context
     * start): meanwhile any {@code bind(0)} or outgoing connection on the machine (the other test JVM, other builds)
     * could take it. Each Failsafe fork ({@code streamchat.test.fork}) draws from its own slice, so two test JVMs never
     * pick the same port either.
     */
    public static synchronized int freePort() {
        int fork = Math.floorMod(Integer.getInteger("streamchat.test.fork", 1) - 1, 4);
        int first = FIRST_PORT + fork * PORTS_PER_FORK;
        int offset = ThreadLocalRandom.current().nextInt(PORTS_PER_FORK);
        for (int i = 0; i < PORTS_PER_FORK; i++) {
            int port = first + (offset + i) % PORTS_PER_FORK;
            if (!HANDED_OUT.contains(port) && bindable(port)) {
                HANDED_OUT.add(port);
                return port;
            }
        }
        throw new IllegalStateException("no free port in " + first + "-" + (first + PORTS_PER_FORK - 1));
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(port));
            return true;
        } catch (IOException inUse) {
            return false;
        }
    }
}
