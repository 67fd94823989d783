package dev.streamchat.gateway.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway's copy of the ai-service's model list against a real HTTP server: the list is kept for the cache
 * time and shared, a failure (an error status, a malformed list, no answer in time) is a 503 at once and is not
 * kept, and a model that is not listed is a 400.
 */
class ModelCatalogTests {

    private static final String LIST = "{\"default\":\"openai:gpt-4o-mini\",\"models\":["
            + "{\"id\":\"openai:gpt-4o-mini\",\"provider\":\"openai\",\"model\":\"gpt-4o-mini\"},"
            + "{\"id\":\"local\",\"provider\":\"local\",\"model\":null}]}";

    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicReference<String> body = new AtomicReference<>(LIST);
    private final AtomicInteger status = new AtomicInteger(200);
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean hang;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/api/v1/models", ex -> {
            requests.incrementAndGet();
            if (hang) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            byte[] bytes = body.get().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status.get(), bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        release.countDown();
        server.stop(0);
    }

    /** The fetch timeout is generous (a cold client on a loaded machine) except where the test is about it. */
    private ModelCatalog catalog(Duration cacheTtl) {
        return catalog(cacheTtl, Duration.ofSeconds(5));
    }

    private ModelCatalog catalog(Duration cacheTtl, Duration fetchTimeout) {
        WebClient client = WebClient.builder().baseUrl("http://127.0.0.1:" + server.getAddress().getPort()).build();
        return new ModelCatalog(client, JsonMapper.builder().build(), new ModelProperties(cacheTtl, fetchTimeout));
    }

    @Test
    void theListIsFetchedOnceAndKeptForTheCacheTime() {
        ModelCatalog catalog = catalog(Duration.ofMinutes(1));

        OfferedModels first = catalog.offered().block(Duration.ofSeconds(10));
        OfferedModels second = catalog.offered().block(Duration.ofSeconds(10));

        assertThat(first.defaultId()).isEqualTo("openai:gpt-4o-mini");
        assertThat(first.models()).containsExactly(new ModelOption("openai:gpt-4o-mini", "openai", "gpt-4o-mini"),
                new ModelOption("local", "local", null));
        assertThat(second).isEqualTo(first);
        assertThat(requests).hasValue(1);
        assertThat(catalog.require("local").block(Duration.ofSeconds(10))).isEqualTo(new ModelOption("local", "local", null));
    }

    @Test
    void aModelThatIsNotListedIs400() {
        ModelCatalog catalog = catalog(Duration.ofMinutes(1));

        assertThatThrownBy(() -> catalog.require("openai:gpt-4o").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST));
    }

    @Test
    void anErrorOrAMalformedListIs503AndIsNotKept() {
        ModelCatalog catalog = catalog(Duration.ofMinutes(1));
        status.set(500);
        assertThatThrownBy(() -> catalog.offered().block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        status.set(200);
        body.set("{\"default\":\"nowhere\",\"models\":[{\"id\":\"local\"}]}");
        assertThatThrownBy(() -> catalog.offered().block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        body.set(LIST);
        assertThat(catalog.offered().block(Duration.ofSeconds(10)).models()).hasSize(2);
        assertThat(requests).hasValue(3);
    }

    @Test
    void anAiServiceThatDoesNotAnswerIs503WithinTheFetchTimeout() {
        ModelCatalog catalog = catalog(Duration.ofMinutes(1), Duration.ofMillis(500));
        hang = true;
        long begin = System.nanoTime();

        assertThatThrownBy(() -> catalog.require("local").block(Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));

        // Bounded by the fetch timeout (with a margin for a loaded machine), never by the hanging server (10 s).
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void anExpiredListIsFetchedAgain() {
        ModelCatalog catalog = catalog(Duration.ZERO);

        catalog.offered().block(Duration.ofSeconds(10));
        catalog.offered().block(Duration.ofSeconds(10));

        assertThat(requests).hasValue(2);
    }
}
