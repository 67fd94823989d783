package dev.streamchat.gateway.browser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import dev.streamchat.gateway.config.TestBackends;
import dev.streamchat.gateway.testing.FakeAiService;
import dev.streamchat.gateway.GatewayApplication;
import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * The real gateway application on free ports, with embedded Redis and MongoDB and the {@link FakeAiService},
 * started once for all browser tests of a JVM (every test signs in as its own user, so they do not share
 * data). The page is served by the gateway from the web-client jar, exactly as in production.
 */
public final class GatewayStack implements AutoCloseable {

    /** Small enough that a browser test can reach it; plenty for tests that ask a few questions each. */
    public static final int FREE_TIER_LIMIT = 4;

    private static GatewayStack shared;

    private final EmbeddedRedis redis;
    private final EmbeddedMongo mongo;
    private final FakeAiService ai;
    private final ConfigurableApplicationContext gateway;
    private final int gatewayPort;
    private final int socketPort;

    private GatewayStack() throws IOException {
        redis = EmbeddedRedis.start(0);
        mongo = EmbeddedMongo.inMemory();
        ai = new FakeAiService();
        gatewayPort = TestBackends.freePort();
        socketPort = TestBackends.freePort();
        // Under this test JVM's own DATA_DIR (Failsafe gives each fork one): two JVMs never share generated secrets.
        Path dataDir = Files.createDirectories(Path.of(System.getenv().getOrDefault("DATA_DIR", "target/test-data"))
                .resolve("browser"));
        String origins = "http://localhost:" + gatewayPort + ",http://127.0.0.1:" + gatewayPort;
        List<String> args = new ArrayList<>(List.of(
                // Contract variable names (application.yml maps them) ...
                "--APP_MODE=local",
                "--GATEWAY_PORT=" + gatewayPort,
                "--SOCKET_PORT=" + socketPort,
                "--ALLOWED_ORIGINS=" + origins,
                "--AUTH_DEV_LOGIN=true",
                "--JWT_SECRET=browser-tests-jwt-secret-0123456789abcdef",
                "--AI_SERVICE_URL=" + ai.url(),
                "--AI_SERVICE_API_KEY=" + FakeAiService.API_KEY,
                "--REDIS_URL=" + redis.url(),
                "--MONGODB_URI=" + mongo.uri("chat"),
                "--FREE_TIER_CHATS_PER_MONTH=" + FREE_TIER_LIMIT,
                "--DATA_DIR=" + dataDir.toAbsolutePath(),
                // ... and the properties they map to, so the stack does not depend on that mapping.
                "--server.port=" + gatewayPort,
                "--gateway.socket.port=" + socketPort,
                "--gateway.auth.allowed-origins=" + origins,
                "--gateway.auth.dev-login=true",
                "--gateway.ai.url=" + ai.url(),
                "--gateway.quota.free-chats-per-month=" + FREE_TIER_LIMIT,
                "--spring.data.redis.url=" + redis.url(),
                "--spring.mongodb.uri=" + mongo.uri("chat"),
                "--logging.level.root=WARN"));
        gateway = new SpringApplicationBuilder(GatewayApplication.class).run(args.toArray(String[]::new));
    }

    /** The stack of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized GatewayStack shared() {
        if (shared == null) {
            try {
                shared = new GatewayStack();
            } catch (IOException e) {
                throw new IllegalStateException("cannot start the browser test stack", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "gateway-stack-stop"));
        }
        return shared;
    }

    public FakeAiService ai() {
        return ai;
    }

    /** The page as a person opens it: {@code http://localhost:PORT/}. */
    public String pageUrl() {
        return "http://localhost:" + gatewayPort + "/";
    }

    /** The same page through the other loopback name. */
    public String pageUrlByIp() {
        return "http://127.0.0.1:" + gatewayPort + "/";
    }

    public int socketPort() {
        return socketPort;
    }

    @Override
    public void close() {
        try {
            gateway.close();
        } finally {
            ai.close();
            mongo.close();
            redis.close();
        }
    }
}
