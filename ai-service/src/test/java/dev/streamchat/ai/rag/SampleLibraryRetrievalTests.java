package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shared sample library, loaded into an in-memory MongoDB-wire server through the real driver and searched by
 * cosine scan: every fixture question must find its document first (and its page, for the PDF); off-topic questions
 * find nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SampleLibraryRetrievalTests {

    private RagTestSupport rag;

    record Fixture(String question, String docId, Integer page) {
        @Override
        public String toString() {
            return question + " -> " + (docId == null ? "nothing" : docId + (page == null ? "" : " p." + page));
        }
    }

    @BeforeAll
    void loadLibrary() {
        rag = RagTestSupport.shared();
        assertThat(rag.documents.findShared().collectList().block()).hasSize(SampleLibrary.manifest().size());
    }


    static Stream<Arguments> fixtures() throws IOException {
        JsonNode root = JsonMapper.builder().build()
                .readTree(Files.readString(Path.of("src/test/resources/rag/sample-library-questions.json")));
        List<Arguments> fixtures = new ArrayList<>();
        for (JsonNode q : root.get("questions")) {
            fixtures.add(Arguments.of(new Fixture(q.get("question").asString(),
                    q.get("docId").isNull() ? null : q.get("docId").asString(),
                    q.get("page").isNull() ? null : q.get("page").asInt())));
        }
        return fixtures.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void everyFixtureRetrievesItsDocumentFirst(Fixture fixture) {
        List<Passage> passages = rag.retriever.retrieve(new SearchScope("student", null, null), fixture.question()).block();

        if (fixture.docId() == null) {
            assertThat(passages).as("off-topic question").isEmpty();
            return;
        }
        assertThat(passages).isNotEmpty().hasSizeLessThanOrEqualTo(rag.props.topK());
        Passage best = passages.get(0);
        assertThat(best.docId()).isEqualTo(fixture.docId());
        if (fixture.page() != null) {
            assertThat(best.page()).isEqualTo(fixture.page());
        }
        assertThat(best.score()).isGreaterThanOrEqualTo(rag.props.minScore());
        assertThat(passages).isSortedAccordingTo((a, b) -> Double.compare(b.score(), a.score()));
        assertThat(best.title()).isNotBlank();
        assertThat(best.text()).isNotBlank();
    }

    @Test
    void fixtureFileCoversEveryDocumentWithAtLeastTenQuestions() throws IOException {
        List<Fixture> fixtures = fixtures().map(a -> (Fixture) a.get()[0]).toList();
        assertThat(fixtures.stream().filter(f -> f.docId() != null)).hasSizeGreaterThanOrEqualTo(10);
        assertThat(fixtures.stream().map(Fixture::docId).distinct())
                .containsAll(SampleLibrary.manifest().stream().map(SampleLibrary.Entry::docId).toList());
    }

    @Test
    void libraryHasAtLeastFiveDocumentsOneAPdfAndTwentyChunks() {
        List<StoredDocument> shared = rag.documents.findShared().collectList().block();
        assertThat(shared).hasSizeGreaterThanOrEqualTo(5)
                .allSatisfy(d -> assertThat(d.status()).isEqualTo(StoredDocument.READY))
                .anySatisfy(d -> assertThat(d.fileName()).endsWith(".pdf"));
        assertThat(shared.stream().mapToInt(StoredDocument::chunks).sum()).isGreaterThanOrEqualTo(20);
        long stored = rag.chunks.collection().flatMap(c -> reactor.core.publisher.Mono.from(
                c.countDocuments(new org.bson.Document("shared", true)))).block();
        assertThat(stored).isEqualTo(shared.stream().mapToInt(StoredDocument::chunks).sum());
    }

    @Test
    void loadingAgainChangesNothing() {
        long before = rag.chunks.collection().flatMap(c -> reactor.core.publisher.Mono.from(c.countDocuments())).block();

        assertThat(rag.loadSampleLibrary()).isEmpty();

        long after = rag.chunks.collection().flatMap(c -> reactor.core.publisher.Mono.from(c.countDocuments())).block();
        assertThat(after).isEqualTo(before);
        assertThat(rag.documents.findShared().collectList().block()).hasSize(SampleLibrary.manifest().size());
    }

    @Test
    void embeddingRunsOnBoundedElasticNeverOnTheCallersThread() {
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        dev.langchain4j.model.embedding.EmbeddingModel recording = new dev.langchain4j.model.embedding.EmbeddingModel() {
            @Override
            public dev.langchain4j.model.output.Response<List<dev.langchain4j.data.embedding.Embedding>> embedAll(
                    List<dev.langchain4j.data.segment.TextSegment> segments) {
                threads.add(Thread.currentThread().getName());
                return new dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel().embedAll(segments);
            }
        };
        VectorRetriever retriever = new VectorRetriever(new Embedder(recording), rag.chunks, rag.props, rag.meters);

        List<Passage> passages = reactor.core.publisher.Mono.defer(() -> retriever.retrieve(
                        new SearchScope("student", null, null), "What is the natural pacemaker of the heart?"))
                .subscribeOn(reactor.core.scheduler.Schedulers.parallel()).block();

        assertThat(passages).isNotEmpty();
        assertThat(threads).singleElement().satisfies(t -> assertThat(t).startsWith("boundedElastic"));
    }

    @Test
    void retrievalIsTimedWithAHitTag() {
        rag.retriever.retrieve(new SearchScope("student", null, null), "What is the natural pacemaker?").block();

        assertThat(rag.meters.find("ai.rag.retrieval").tag("hit", "true").timer()).isNotNull()
                .satisfies(t -> assertThat(t.count()).isPositive());
    }
}
