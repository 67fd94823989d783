package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
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

/**
 * The per-user and per-document limits over real HTTP: the stored-document cap (409 {@code document_limit}), a PDF
 * bomb that fails its document while the service keeps answering, and the names a client sends.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + DocumentLimitsIT.KEY,
        "ai.model.provider=local",
        "ai.rag.sample-library=false",
        "ai.rag.upload-max-size=1MB",
        "ai.indexing.max-per-user=2",
        "ai.indexing.max-text-chars=200000"})
class DocumentLimitsIT {

    static final String KEY = "document-limits-it-key-0123456789abcdef";
    private static final ParameterizedTypeReference<Map<String, Object>> OBJECT = new ParameterizedTypeReference<>() { };

    @LocalServerPort
    int port;

    WebTestClient http;

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", EmbeddedStores::mongoUri);
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(60))
                .defaultHeader("X-API-Key", KEY).build();
    }

    private WebTestClient.ResponseSpec upload(String fileName, byte[] content, Map<String, String> fields) {
        MultipartBodyBuilder body = new MultipartBodyBuilder();
        body.part("file", new ByteArrayResource(content) {
            @Override
            public String getFilename() {
                return fileName;
            }
        });
        fields.forEach(body::part);
        return http.post().uri("/api/v1/documents").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData(body.build())).exchange();
    }

    private String accepted(String fileName, byte[] content, Map<String, String> fields) {
        return (String) upload(fileName, content, fields).expectStatus().isAccepted().expectBody(OBJECT)
                .returnResult().getResponseBody().get("docId");
    }

    private Map<String, Object> settled(String docId, String userId) {
        return await().atMost(Duration.ofSeconds(90)).until(() -> http.get()
                .uri("/api/v1/documents/{id}?user_id={u}", docId, userId).exchange()
                .expectStatus().isOk().expectBody(OBJECT).returnResult().getResponseBody(),
                doc -> !"indexing".equals(doc.get("status")));
    }

    private static byte[] text(String words) {
        return words.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aUserStoresAtMostTheLimitOfDocuments() {
        String first = accepted("a.txt", text("First note about cells."), Map.of("user_id", "collector"));
        accepted("b.txt", text("Second note about cells."), Map.of("user_id", "collector"));

        upload("c.txt", text("Third note."), Map.of("user_id", "collector"))
                .expectStatus().isEqualTo(409)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo("document_limit")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("2 documents"));
        // Replacing one of one's own documents is not a new one; another user is not affected.
        upload("a2.txt", text("First note, revised."), Map.of("user_id", "collector", "doc_id", first))
                .expectStatus().isAccepted();
        accepted("c.txt", text("Someone else's note."), Map.of("user_id", "other-collector"));
        // Deleting one makes room again.
        settled(first, "collector");
        http.delete().uri("/api/v1/documents/{id}?user_id=collector", first).exchange().expectStatus().isNoContent();
        upload("c.txt", text("Third note."), Map.of("user_id", "collector")).expectStatus().isAccepted();
    }

    @Test
    void aPdfBombFailsItsDocumentAndTheServiceGoesOn() {
        byte[] bomb = HostilePdfs.textBomb(20_000_000);

        String docId = accepted("bomb.pdf", bomb, Map.of("user_id", "bomber"));
        Map<String, Object> failed = settled(docId, "bomber");

        assertThat(failed).containsEntry("status", "failed")
                .containsEntry("error", "the document has more than 200000 characters of text");
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        String fine = accepted("fine.txt", text("A cell is the smallest unit of life."), Map.of("user_id", "bomber"));
        assertThat(settled(fine, "bomber")).containsEntry("status", "ready");
    }

    @Test
    void aFileNameKeepsOnlyItsLastSegmentWithoutControlCharacters() {
        String docId = accepted("../../etc/evil\u0007\u202Ename.txt", text("A note."), Map.of("user_id", "namer"));
        assertThat(settled(docId, "namer")).containsEntry("fileName", "evilname.txt");

        String longName = "n".repeat(400) + ".md";
        String other = accepted(longName, text("# Title\n\nA note."), Map.of("user_id", "namer-2"));
        assertThat((String) settled(other, "namer-2").get("fileName")).hasSize(255).endsWith(".md");
    }

    @Test
    void namesAndIdsAreChecked() {
        upload("a.txt", text("x"), Map.of("user_id", "bad id!")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.code").isEqualTo("bad_request");
        upload("a.txt", text("x"), Map.of("user_id", "u".repeat(65))).expectStatus().isBadRequest();
        upload("a.txt", text("x"), Map.of("user_id", "fine", "doc_id", "../x")).expectStatus().isBadRequest();
        upload("a.txt", text("x"), Map.of("user_id", "fine", "class_name", "bio\u0000logy")).expectStatus().isBadRequest();
        http.get().uri("/api/v1/documents?user_id={u}", "a/b").exchange().expectStatus().isBadRequest();
    }
}
