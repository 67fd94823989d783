package dev.streamchat.ai.config;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The whole ai-service on a random port with the local model, no sample library, and the JVM's embedded stores: one
 * Spring context for every test class that extends this and adds no settings of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + LocalServiceTest.KEY,
        "ai.model.provider=local",
        "ai.rag.sample-library=false"})
public abstract class LocalServiceTest {

    /** The service's X-API-Key. */
    public static final String KEY = "local-service-it-key-0123456789abcdef";

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", EmbeddedStores::mongoUri);
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    @LocalServerPort
    protected int port;
}
