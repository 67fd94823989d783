package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.infra.EmbeddedMongo;

/**
 * {@code GET /api/v1/documents/{docId}} shows how far indexing got ({@code phase}, {@code percent}) while a large
 * upload is parsed, chunked and embedded, on the whole ai-service over real HTTP; the gateway turns these into
 * {@code document-progress} events.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + IndexingProgressIT.KEY,
        "ai.model.provider=local",
        "ai.rag.sample-library=false",
        "ai.rag.upload-max-size=2MB"})
class IndexingProgressIT {

    static final String KEY = "progress-it-key";
    static final EmbeddedMongo MONGO = EmbeddedMongo.inMemory();
    private static final ParameterizedTypeReference<Map<String, Object>> OBJECT = new ParameterizedTypeReference<>() { };

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", () -> MONGO.uri("chat"));
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    @AfterAll
    static void stopMongo() {
        MONGO.close();
    }

    @LocalServerPort
    int port;

    private WebTestClient http() {
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
                .defaultHeader("X-API-Key", KEY).build();
    }

    private String upload(String fileName, byte[] content) {
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        body.part("file", new ByteArrayResource(content) {
            @Override
            public String getFilename() {
                return fileName;
            }
        });
        body.part("user_id", "paula");
        return (String) http().post().uri("/api/v1/documents").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build())).exchange()
                .expectStatus().isAccepted().expectBody(OBJECT).returnResult().getResponseBody().get("docId");
    }

    private Map<String, Object> status(String docId) {
        return http().get().uri("/api/v1/documents/{id}?user_id=paula", docId).exchange()
                .expectStatus().isOk().expectBody(OBJECT).returnResult().getResponseBody();
    }

    /** About 90 KB of distinct prose: over a hundred and fifty chunks, so embedding takes several batches. */
    static String largeNotes() {
        StringBuilder text = new StringBuilder("# Large physiology notes\n\n");
        String[] organs = {"heart", "lung", "kidney", "liver", "brain", "stomach", "spleen", "pancreas"};
        for (int i = 1; i <= 320; i++) {
            String organ = organs[i % organs.length];
            text.append("Observation ").append(i).append(" concerns the ").append(organ).append(". The ").append(organ)
                    .append(" was examined in study number ").append(i * 7).append(", and its tissue showed pattern ")
                    .append(i % 13).append(" under the microscope. Researchers recorded a value of ").append(i * 3 % 101)
                    .append(" units, which they compared with the baseline of earlier work.\n\n");
        }
        return text.toString();
    }

    @Test
    void aLargeUploadReportsParsingChunkingAndEmbeddingProgressUntilReady() throws Exception {
        String docId = upload("large-notes.txt", largeNotes().getBytes(StandardCharsets.UTF_8));
        List<Map<String, Object>> seen = new CopyOnWriteArrayList<>();

        Map<String, Object> ready = await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Map<String, Object> current = status(docId);
                    seen.add(current);
                    return current;
                }, current -> !"indexing".equals(current.get("status")));

        assertThat(ready).containsEntry("status", "ready").containsEntry("phase", "ready").containsEntry("percent", 100);
        assertThat((Integer) ready.get("chunks")).isGreaterThan(100);
        List<Map<String, Object>> indexing = seen.stream().filter(s -> "indexing".equals(s.get("status"))).toList();
        assertThat(indexing).as("observed while indexing").isNotEmpty()
                .allSatisfy(s -> assertThat(s.get("phase")).isIn("parsing", "chunking", "embedding"));
        assertThat(indexing).as("some intermediate embedding progress was seen: %s", indexing).anySatisfy(s -> {
            assertThat(s).containsEntry("phase", "embedding");
            assertThat((Integer) s.get("percent")).isBetween(20, 95);
        });
        // The documented samples have exactly the keys of the real answers.
        tools.jackson.databind.JsonNode fixture = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
                java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "protocol", "ai-document-status.json")));
        for (tools.jackson.databind.JsonNode sample : fixture.get("samples")) {
            assertThat(sample.propertyNames()).containsExactlyInAnyOrderElementsOf(ready.keySet());
        }
        int previous = -1;
        for (Map<String, Object> s : seen) {
            int percent = (Integer) s.get("percent");
            assertThat(percent).as("percent never goes back: %s", seen).isGreaterThanOrEqualTo(previous);
            assertThat(percent).isBetween(0, 100);
            previous = percent;
        }
    }

    @Test
    void aFailedUploadEndsInTheFailedPhase() {
        String docId = upload("broken.pdf", "%PDF-1.4\nthis is not really a pdf\n".getBytes(StandardCharsets.UTF_8));

        Map<String, Object> failed = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> status(docId), current -> !"indexing".equals(current.get("status")));

        assertThat(failed).containsEntry("status", "failed").containsEntry("phase", "failed");
        assertThat(failed.get("percent")).isInstanceOf(Integer.class);
    }
}
