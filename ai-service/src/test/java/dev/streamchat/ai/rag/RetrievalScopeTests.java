package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.Document;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.output.Response;

/**
 * Scope rules of CONTRACT.md section 1 against the stored chunks: another user's documents are never retrieved;
 * {@code class_name} narrows the user's own documents (the shared library stays); {@code doc_id} means that document
 * only, when it is the user's or shared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetrievalScopeTests {

    private static final EmbeddingModel MODEL = new AllMiniLmL6V2EmbeddingModel();

    static final String KREBS = "Cellular respiration notes\n\nThe Krebs cycle, also called the citric acid cycle, "
            + "takes place in the matrix of the mitochondrion. Each turn of the Krebs cycle releases two molecules of "
            + "carbon dioxide and produces NADH and FADH2 for the electron transport chain.";
    static final String PHOTOSYNTHESIS = "Plant biology notes\n\nPhotosynthesis takes place in the chloroplasts of "
            + "leaf cells. The light reactions in the thylakoid membranes split water and release oxygen, and the Calvin "
            + "cycle in the stroma fixes carbon dioxide into sugar.";
    static final String TITRATION = "Chemistry lab notes\n\nIn an acid-base titration a burette delivers a base of "
            + "known concentration into the acid until the indicator changes colour at the equivalence point.";

    private RagTestSupport rag;

    @BeforeAll
    void setUp() {
        rag = RagTestSupport.shared();
        index(rag, "alice-krebs", "alice", "bio", "krebs.txt", KREBS);
        index(rag, "alice-titration", "alice", "chem", "titration.md", TITRATION);
        index(rag, "bob-photosynthesis", "bob", "bio", "photosynthesis.txt", PHOTOSYNTHESIS);
    }


    static StoredDocument index(RagTestSupport rag, String docId, String userId, String className, String fileName,
            String text) {
        byte[] content = text.getBytes(StandardCharsets.UTF_8);
        Instant now = Instant.now();
        StoredDocument document = new StoredDocument(docId, userId, className, false, fileName, fileName,
                StoredDocument.INDEXING, 0, null, rag.indexer.contentHash(content), UUID.randomUUID().toString(), now, now);
        rag.documents.save(document).block();
        StoredDocument stored = rag.indexer.index(document, DocumentFormat.fromFileName(fileName), content).block();
        assertThat(stored.status()).isEqualTo(StoredDocument.READY);
        return stored;
    }

    private List<Passage> search(String userId, String className, String docId, String query) {
        return rag.retriever.retrieve(new SearchScope(userId, className, docId), query).block();
    }

    private static List<String> docIds(List<Passage> passages) {
        return passages.stream().map(Passage::docId).distinct().toList();
    }

    @Test
    void aUserFindsTheirOwnDocuments() {
        assertThat(search("alice", null, null, "Where does the Krebs cycle take place?").get(0).docId())
                .isEqualTo("alice-krebs");
    }

    @Test
    void anotherUsersDocumentsAreNeverRetrieved() {
        String query = "Where does photosynthesis take place in the chloroplasts?";
        assertThat(search("bob", null, null, query).get(0).docId()).isEqualTo("bob-photosynthesis");

        assertThat(docIds(search("alice", null, null, query))).doesNotContain("bob-photosynthesis");
        assertThat(docIds(search("alice", "bio", null, query))).doesNotContain("bob-photosynthesis");
        assertThat(search("alice", null, "bob-photosynthesis", query)).isEmpty();
        assertThat(docIds(search("mallory", null, null, "Krebs cycle mitochondrion NADH titration burette")))
                .doesNotContain("alice-krebs", "alice-titration");
    }

    @Test
    void classNameNarrowsTheUsersDocumentsButKeepsTheSharedLibrary() {
        assertThat(docIds(search("alice", "bio", null, "acid-base titration with a burette and indicator")))
                .doesNotContain("alice-titration");
        assertThat(search("alice", "chem", null, "acid-base titration with a burette and indicator").get(0).docId())
                .isEqualTo("alice-titration");
        assertThat(search("alice", "chem", null, "How many chambers does the heart have?").get(0).docId())
                .isEqualTo("sample-heart-anatomy");
    }

    @Test
    void docIdMeansThatDocumentOnlyWhenItIsTheUsersOrShared() {
        assertThat(docIds(search("alice", null, "alice-krebs", "What does the Krebs cycle produce?")))
                .containsOnly("alice-krebs");
        assertThat(docIds(search("alice", null, "sample-blood", "What do red blood cells carry?")))
                .containsOnly("sample-blood");
        // A question the document does not address finds nothing rather than another document.
        assertThat(docIds(search("alice", null, "sample-blood", "How many chambers does the heart have?")))
                .isSubsetOf("sample-blood");
        assertThat(docIds(search("alice", "chem", "alice-krebs", "Krebs cycle"))).containsOnly("alice-krebs");
        assertThat(search("alice", null, "no-such-doc", "Krebs cycle")).isEmpty();
    }

    @Test
    void theScanBudgetGoesToTheUsersOwnChunksFirst() {
        int aliceChunks = rag.chunks.collection()
                .flatMap(c -> reactor.core.publisher.Mono.from(c.countDocuments(new Document("userId", "alice")))).block()
                .intValue();
        try (RagTestSupport small = new RagTestSupport(RagTestSupport.withMaxScan(aliceChunks))) {
            small.loadSampleLibrary();
            index(small, "alice-krebs", "alice", "bio", "krebs.txt", KREBS);
            index(small, "alice-titration", "alice", "chem", "titration.md", TITRATION);

            List<Passage> passages = small.retriever.retrieve(new SearchScope("alice", null, null),
                    "Where does the Krebs cycle take place?").block();

            assertThat(passages.get(0).docId()).isEqualTo("alice-krebs");
            assertThat(docIds(passages)).allSatisfy(id -> assertThat(id).startsWith("alice-"));
        }
    }

    @Test
    void aScopeWithinTheScanBudgetIsReadWithOneQuery() {
        int before = rag.chunkQueries.get();

        List<Passage> passages = rag.retriever.retrieve(new SearchScope("alice", null, null),
                "Where does the Krebs cycle take place?").block();

        assertThat(passages.get(0).docId()).isEqualTo("alice-krebs");
        assertThat(rag.chunkQueries.get() - before).isEqualTo(1);
    }

    @Test
    void theQuestionIsEmbeddedOnlyWhenTheScopeHoldsAChunk() {
        AtomicInteger embedded = new AtomicInteger();
        EmbeddingModel counting = new EmbeddingModel() {
            @Override
            public Response<List<Embedding>> embedAll(List<TextSegment> segments) {
                embedded.addAndGet(segments.size());
                return MODEL.embedAll(segments);
            }
        };
        try (RagTestSupport empty = new RagTestSupport()) {
            VectorRetriever nothingStored = new VectorRetriever(new Embedder(counting), empty.chunks, empty.props,
                    empty.meters);

            assertThat(nothingStored.retrieve(new SearchScope("carol", null, null), "Krebs cycle").block()).isEmpty();
            assertThat(embedded).hasValue(0);
        }

        VectorRetriever withChunks = new VectorRetriever(new Embedder(counting), rag.chunks, rag.props, rag.meters);
        assertThat(docIds(withChunks.retrieve(new SearchScope("alice", "bio", null), "Where does the Krebs cycle take place?")
                .block())).first().isEqualTo("alice-krebs");
        assertThat(embedded).hasValue(1);
    }

    @Test
    void aBlankQuestionRetrievesNothing() {
        assertThat(search("alice", null, null, "  ")).isEmpty();
    }
}
