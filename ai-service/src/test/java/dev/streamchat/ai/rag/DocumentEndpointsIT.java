package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.MultipartBodyBuilder;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.BodyInserters;

import dev.streamchat.ai.config.EmbeddedStores;
import dev.streamchat.infra.EmbeddedMongo;

/**
 * The document endpoints of CONTRACT.md section 1 on the whole ai-service (random port, real multipart over HTTP,
 * its own in-memory MongoDB-wire server, the shared sample library loaded at startup).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "AI_SERVICE_API_KEY=" + DocumentEndpointsIT.KEY,
        "ai.model.provider=local",
        "ai.rag.upload-max-size=64KB"})
class DocumentEndpointsIT {

    static final String KEY = "documents-it-key";
    static final EmbeddedMongo MONGO = EmbeddedMongo.inMemory();
    private static final ParameterizedTypeReference<List<Map<String, Object>>> LIST = new ParameterizedTypeReference<>() { };
    private static final ParameterizedTypeReference<Map<String, Object>> OBJECT = new ParameterizedTypeReference<>() { };

    @LocalServerPort
    int port;

    @Autowired
    Retriever retriever;

    @Autowired
    ChunkRepository chunks;

    WebTestClient http;

    @DynamicPropertySource
    static void stores(DynamicPropertyRegistry registry) {
        registry.add("spring.mongodb.uri", () -> MONGO.uri("chat"));
        registry.add("spring.data.redis.url", EmbeddedStores::redisUrl);
    }

    @AfterAll
    static void stopMongo() {
        MONGO.close();
    }

    @BeforeEach
    void client() {
        http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30))
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

    private String uploadAccepted(String fileName, String text, Map<String, String> fields) {
        Map<String, Object> accepted = upload(fileName, text.getBytes(StandardCharsets.UTF_8), fields)
                .expectStatus().isAccepted().expectBody(OBJECT).returnResult().getResponseBody();
        return (String) accepted.get("docId");
    }

    private Map<String, Object> awaitStatus(String docId, String userId, String status) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> http.get()
                .uri("/api/v1/documents/{id}?user_id={u}", docId, userId).exchange()
                .expectStatus().isOk().expectBody(OBJECT).returnResult().getResponseBody(),
                doc -> !"indexing".equals(doc.get("status")) && status.equals(doc.get("status")) || "failed".equals(doc.get("status")));
    }

    private void expectProblem(WebTestClient.ResponseSpec response, HttpStatus status, String code) {
        response.expectStatus().isEqualTo(status.value())
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.code").isEqualTo(code).jsonPath("$.status").isEqualTo(status.value());
    }

    @Test
    void anUploadIsIndexedInTheBackgroundUntilReady() {
        String docId = uploadAccepted("cell-notes.txt", RetrievalScopeTests.KREBS, Map.of("user_id", "dana"));

        Map<String, Object> ready = awaitStatus(docId, "dana", "ready");

        assertThat(ready).containsEntry("status", "ready").containsEntry("docId", docId)
                .containsEntry("title", "Cellular respiration notes").containsEntry("shared", false);
        assertThat((Integer) ready.get("chunks")).isPositive();
        List<Map<String, Object>> listed = http.get().uri("/api/v1/documents?user_id=dana").exchange()
                .expectStatus().isOk().expectBody(LIST).returnResult().getResponseBody();
        assertThat(listed).anySatisfy(d -> assertThat(d).containsEntry("docId", docId).containsEntry("shared", false));
        assertThat(listed.stream().filter(d -> Boolean.TRUE.equals(d.get("shared"))))
                .hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(d -> assertThat(d).containsEntry("status", "ready").containsKeys("title", "chunks"));
        List<Passage> found = retriever.retrieve(new SearchScope("dana", null, null), "What does the Krebs cycle produce?").block();
        assertThat(found.get(0).docId()).isEqualTo(docId);
    }

    @Test
    void anUploadKeepsItsDocIdAndClassAndAReuploadReplacesItsChunks() throws Exception {
        String docId = uploadAccepted("notes.md", "# Titration\n\n" + RetrievalScopeTests.TITRATION,
                Map.of("user_id", "erin", "class_name", "chem101", "doc_id", "erin-chem-notes"));
        assertThat(docId).isEqualTo("erin-chem-notes");
        awaitStatus(docId, "erin", "ready");
        assertThat(retriever.retrieve(new SearchScope("erin", "chem101", null), "acid-base titration burette").block().get(0).docId())
                .isEqualTo(docId);
        assertThat(retriever.retrieve(new SearchScope("erin", "bio", null), "acid-base titration burette").block())
                .extracting(Passage::docId).doesNotContain(docId);

        byte[] pdf = Files.readAllBytes(Path.of("src/main/resources/corpus/cardiac-conduction-and-cycle.pdf"));
        upload("heartbeat.pdf", pdf, Map.of("user_id", "erin", "doc_id", docId)).expectStatus().isAccepted();
        await().atMost(Duration.ofSeconds(60)).until(() -> chunks.countByDocId(docId).block() > 2
                && "ready".equals(awaitStatus(docId, "erin", "ready").get("status")));

        Map<String, Object> replaced = awaitStatus(docId, "erin", "ready");
        assertThat(replaced).containsEntry("title", "The Heartbeat: Conduction System, ECG and Cardiac Cycle");
        assertThat(chunks.countByDocId(docId).block()).isEqualTo(((Integer) replaced.get("chunks")).longValue());
        Passage best = retriever.retrieve(new SearchScope("erin", null, docId), "What does the QRS complex represent?").block().get(0);
        assertThat(best.page()).isEqualTo(3);
    }

    @Test
    void unsupportedFilesAre415() {
        expectProblem(upload("slides.docx", "PK...".getBytes(), Map.of("user_id", "dana")),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        expectProblem(upload("fake.pdf", "just text".getBytes(), Map.of("user_id", "dana")),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
        expectProblem(upload("binary.txt", new byte[] {1, 0, 2, 0}, Map.of("user_id", "dana")),
                HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }

    @Test
    void anOversizedFileIs413() {
        byte[] big = "The heart pumps blood. ".repeat(4000).getBytes(StandardCharsets.UTF_8); // ~92 KB > 64 KB
        expectProblem(upload("big.txt", big, Map.of("user_id", "dana")), HttpStatus.PAYLOAD_TOO_LARGE, "payload_too_large");
    }

    @Test
    void badRequestsAre400() {
        expectProblem(upload("notes.txt", "text".getBytes(), Map.of()), HttpStatus.BAD_REQUEST, "bad_request");
        expectProblem(upload("notes.txt", "text".getBytes(), Map.of("user_id", "not a valid id!")),
                HttpStatus.BAD_REQUEST, "bad_request");
        expectProblem(upload("empty.txt", new byte[0], Map.of("user_id", "dana")), HttpStatus.BAD_REQUEST, "bad_request");
        expectProblem(http.post().uri("/api/v1/documents").contentType(MediaType.MULTIPART_FORM_DATA)
                .body(BodyInserters.fromMultipartData("user_id", "dana")).exchange(), HttpStatus.BAD_REQUEST, "bad_request");
        expectProblem(http.get().uri("/api/v1/documents").exchange(), HttpStatus.BAD_REQUEST, "bad_request");
    }

    @Test
    void unknownAndOtherUsersDocumentsAre404() {
        String docId = uploadAccepted("private.txt", RetrievalScopeTests.PHOTOSYNTHESIS, Map.of("user_id", "frank"));
        awaitStatus(docId, "frank", "ready");

        expectProblem(http.get().uri("/api/v1/documents/no-such-doc?user_id=frank").exchange(), HttpStatus.NOT_FOUND, "not_found");
        expectProblem(http.get().uri("/api/v1/documents/{id}?user_id=grace", docId).exchange(), HttpStatus.NOT_FOUND, "not_found");
        expectProblem(http.delete().uri("/api/v1/documents/{id}?user_id=grace", docId).exchange(), HttpStatus.NOT_FOUND, "not_found");
        expectProblem(upload("mine.txt", "The heart pumps blood.".getBytes(), Map.of("user_id", "grace", "doc_id", docId)),
                HttpStatus.FORBIDDEN, "forbidden");
        assertThat(http.get().uri("/api/v1/documents?user_id=grace").exchange().expectBody(LIST).returnResult()
                .getResponseBody()).noneSatisfy(d -> assertThat(d.get("docId")).isEqualTo(docId));
        http.get().uri("/api/v1/documents/{id}?user_id=frank", docId).exchange().expectStatus().isOk();
    }

    @Test
    void sharedDocumentsAreReadableButCannotBeDeleted() {
        http.get().uri("/api/v1/documents/sample-heartbeat?user_id=dana").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.shared").isEqualTo(true).jsonPath("$.status").isEqualTo("ready");

        expectProblem(http.delete().uri("/api/v1/documents/sample-heartbeat?user_id=dana").exchange(),
                HttpStatus.FORBIDDEN, "forbidden");
        expectProblem(upload("x.txt", "The heart pumps blood.".getBytes(), Map.of("user_id", "dana", "doc_id", "sample-heartbeat")),
                HttpStatus.FORBIDDEN, "forbidden");
    }

    @Test
    void deletingADocumentRemovesItsChunks() {
        String docId = uploadAccepted("temp.txt", RetrievalScopeTests.KREBS, Map.of("user_id", "henry"));
        awaitStatus(docId, "henry", "ready");
        assertThat(chunks.countByDocId(docId).block()).isPositive();

        http.delete().uri("/api/v1/documents/{id}?user_id=henry", docId).exchange().expectStatus().isNoContent();

        expectProblem(http.get().uri("/api/v1/documents/{id}?user_id=henry", docId).exchange(), HttpStatus.NOT_FOUND, "not_found");
        assertThat(chunks.countByDocId(docId).block()).isZero();
        assertThat(retriever.retrieve(new SearchScope("henry", null, null), "What does the Krebs cycle produce?").block())
                .extracting(Passage::docId).doesNotContain(docId);
    }

    @Test
    void documentEndpointsNeedTheApiKey() {
        WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build()
                .get().uri("/api/v1/documents?user_id=dana").exchange().expectStatus().isUnauthorized();
    }
}
