package dev.streamchat.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.streamchat.gateway.GatewayApplication;
import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * Several gateway nodes in one JVM (one Spring context each, own REST and Socket.IO ports) sharing one embedded
 * Redis and one MongoDB-wire server that belong to this fixture alone, so a test may stop and restart them (on the
 * same ports; MongoDB keeps its data in an H2 file across a restart, Redis starts empty as a real restart without
 * persistence would).
 */
public final class GatewayCluster implements AutoCloseable {

    /** One gateway node. */
    public record Node(ConfigurableApplicationContext context, int httpPort, int socketPort) {
        public <T> T bean(Class<T> type) {
            return context.getBean(type);
        }

        public String http() {
            return "http://127.0.0.1:" + httpPort;
        }

        public String socketUrl() {
            return "http://127.0.0.1:" + socketPort;
        }
    }

    private final int redisPort = TestBackends.freePort();
    private final int mongoPort = TestBackends.freePort();
    private final Path mongoFile;
    private final String aiUrl;
    private final String aiKey;
    private final Map<String, Object> extra;
    private EmbeddedRedis redis;
    private EmbeddedMongo mongo;
    private final List<Node> nodes = new ArrayList<>();

    private GatewayCluster(String aiUrl, String aiKey, Map<String, Object> extra) {
        this.aiUrl = aiUrl;
        this.aiKey = aiKey;
        this.extra = extra;
        try {
            this.mongoFile = Files.createTempDirectory("gateway-cluster").resolve("mongo.h2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts the stores and {@code count} nodes; {@code extra} properties go to every node. */
    public static GatewayCluster start(int count, String aiUrl, String aiKey, Map<String, Object> extra) {
        GatewayCluster cluster = new GatewayCluster(aiUrl, aiKey, extra);
        cluster.startRedis();
        cluster.startMongo();
        for (int i = 0; i < count; i++) {
            cluster.addNode();
        }
        return cluster;
    }

    public Node node(int index) {
        return nodes.get(index);
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public String redisUrl() {
        return "redis://127.0.0.1:" + redisPort;
    }

    public String mongoUri() {
        return "mongodb://127.0.0.1:" + mongoPort + "/chat";
    }

    public Node addNode() {
        int socketPort = TestBackends.freePort();
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("server.port", 0);
        properties.put("JWT_SECRET", TestBackends.JWT_SECRET);
        properties.put("AI_SERVICE_API_KEY", aiKey);
        properties.put("spring.data.redis.url", redisUrl());
        properties.put("spring.mongodb.uri", mongoUri());
        properties.put("gateway.socket.port", socketPort);
        properties.put("gateway.socket.host", "127.0.0.1");
        properties.put("gateway.ai.url", aiUrl);
        properties.put("gateway.ratelimit.chat-per-minute", 10_000);
        properties.put("gateway.chat.max-concurrent-streams-per-user", 1_000);
        properties.put("spring.lifecycle.timeout-per-shutdown-phase", "2s");
        properties.putAll(extra);
        // Command-line arguments: they win over application.yml (builder properties would not).
        String[] args = properties.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
        // Each node has its own event loops (GatewayLoops, owned by its context): stopping one leaves the others'.
        ConfigurableApplicationContext context = new SpringApplicationBuilder(GatewayApplication.class)
                .run(args);
        int httpPort = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
        Node node = new Node(context, httpPort, socketPort);
        nodes.add(node);
        return node;
    }

    public synchronized void startRedis() {
        redis = EmbeddedRedis.start(redisPort);
    }

    public synchronized void stopRedis() {
        if (redis != null) {
            redis.close();
            redis = null;
        }
    }

    public synchronized void startMongo() {
        mongo = EmbeddedMongo.onDisk(mongoPort, mongoFile);
    }

    public synchronized void startMongoIfStopped() {
        if (mongo == null) {
            startMongo();
        }
    }

    public synchronized void startRedisIfStopped() {
        if (redis == null) {
            startRedis();
        }
    }

    public synchronized void stopMongo() {
        if (mongo != null) {
            mongo.close();
            mongo = null;
        }
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            if (node.context().isActive()) {
                node.context().close();
            }
        }
        stopMongo();
        stopRedis();
    }
}
