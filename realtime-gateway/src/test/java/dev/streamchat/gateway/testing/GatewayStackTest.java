package dev.streamchat.gateway.testing;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.streamchat.gateway.config.TestBackends;

/**
 * The opening every full-stack IT shares: the whole gateway on a random port, embedded Redis and MongoDB behind the
 * real drivers, its Socket.IO server on a port of its own ({@link #socketPort}), the {@link FakeAiService} at the
 * HTTP level, and BlockHound: a blocking call on a non-blocking thread fails the class. A test class adds its own
 * settings with {@code @TestPropertySource}; the fake answers its default before each test.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "JWT_SECRET=" + TestBackends.JWT_SECRET,
        "AI_SERVICE_API_KEY=" + FakeAiService.API_KEY,
})
public abstract class GatewayStackTest extends NonBlockingCheckedTest {

    /** One fake ai-service for every full-stack test of the JVM. */
    protected static final FakeAiService AI = new FakeAiService();

    @DynamicPropertySource
    static void gatewayBackends(DynamicPropertyRegistry registry) {
        TestBackends.register(registry, TestBackends.freePort());
        registry.add("gateway.ai.url", AI::url);
    }

    @LocalServerPort
    protected int port;

    @Value("${gateway.socket.port}")
    protected int socketPort;

    /** REST calls to this class's gateway as a signed-in user. */
    protected GatewayClient gateway() {
        return new GatewayClient(port);
    }

    protected org.springframework.test.web.reactive.server.WebTestClient http() {
        return gateway().http;
    }

    /** Signs {@code userId} in as a pro user; the JWT. */
    protected String login(String userId) {
        return gateway().login(userId);
    }

    /** POST /chat/new with {@code message} as {@code token}'s user; the new stream's id. */
    protected String ask(String token, String message) {
        return gateway().startStream(token, message);
    }

    @BeforeEach
    void answerByDefault() {
        AI.reset();
    }

    /**
     * The first MongoDB call of a fresh context opens the driver's connections: done here, not inside the first test's
     * request budget (a loaded machine turned that first sign-in into a 503).
     */
    @BeforeAll
    static void warmUpStorage(@Autowired ReactiveMongoTemplate mongo) {
        mongo.findById("warm-up", org.bson.Document.class, "users").block(java.time.Duration.ofSeconds(60));
    }
}
