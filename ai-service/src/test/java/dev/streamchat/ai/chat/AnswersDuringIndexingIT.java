package dev.streamchat.ai.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.ai.rag.IndexingLoad;

/**
 * A burst of large uploads must not delay answers: the first token of a question asked while many documents index
 * arrives within a small multiple of the same question's first token on an idle service, measured in this test.
 * (Indexing once ran on {@code boundedElastic}, where questions are embedded: twenty uploads took every thread.)
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + AnswersDuringIndexingIT.KEY,
        "ai.model.provider=local",
        "ai.local.tokens-per-second=1000",
        "ai.rag.sample-library=false",
        "ai.indexing.queue-size=64"})
@DirtiesContext // stops the indexing pool, and the work still queued in it, with the context
class AnswersDuringIndexingIT {

    static final String KEY = "answers-during-indexing-key-0123456789";
    private static final int UPLOADS = 24;
    /** Generous: one indexing thread competes for the same two cores; a starved question waits for whole documents. */
    private static final double MAX_RATIO = 5;
    private static final Duration NOISE_FLOOR = Duration.ofMillis(200);

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", EmbeddedStores::mongoUri);
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    private Duration firstToken(int n) throws Exception {
        String json = "{\"user_id\":\"asker\",\"user_query\":\"What does the heart valve do? (" + n + ")\"}";
        long started = System.nanoTime();
        try (SseClient sse = SseClient.open(port, "/api/v1/semantic_search_stream", KEY, json)) {
            assertThat(sse.status()).isEqualTo(200);
            SseClient.Line token = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> sse.lines().stream().filter(l -> l.text().contains("\"type\":\"token\"")).findFirst()
                            .orElse(null), line -> line != null);
            return Duration.ofNanos(token.atNanos() - started);
        }
    }

    private Duration median(int runs, int offset) throws Exception {
        List<Duration> times = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            times.add(firstToken(offset + i));
        }
        times.sort(null);
        return times.get(runs / 2);
    }

    @Test
    void aQuestionsFirstTokenIsNotDelayedByDocumentsBeingIndexed() throws Exception {
        firstToken(-1); // warm-up: the first question loads code paths and the embedding session
        Duration idle = median(5, 0);

        WebTestClient http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port)
                .responseTimeout(Duration.ofSeconds(30)).defaultHeader("X-API-Key", KEY).build();
        byte[] large = IndexingLoad.largeText(300_000).getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < UPLOADS; i++) {
            MultipartBodyBuilder body = new MultipartBodyBuilder();
            body.part("file", new ByteArrayResource(large) {
                @Override
                public String getFilename() {
                    return "large.txt";
                }
            });
            body.part("user_id", "uploader-" + i);
            http.post().uri("/api/v1/documents").contentType(MediaType.MULTIPART_FORM_DATA)
                    .body(BodyInserters.fromMultipartData(body.build())).exchange().expectStatus().isAccepted();
        }

        Duration busy = median(5, 100);

        Duration baseline = idle.compareTo(NOISE_FLOOR) < 0 ? NOISE_FLOOR : idle;
        assertThat((double) busy.toNanos() / baseline.toNanos())
                .as("first token idle %d ms, while %d documents index %d ms", idle.toMillis(), UPLOADS, busy.toMillis())
                .isLessThan(MAX_RATIO);
        // The uploads really were still indexing while the questions ran.
        assertThat(http.get().uri("/api/v1/documents?user_id=uploader-{i}", UPLOADS - 1).exchange()
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody())
                .contains("\"status\":\"indexing\"");
    }
}
