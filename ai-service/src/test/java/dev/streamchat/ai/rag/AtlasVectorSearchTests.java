package dev.streamchat.ai.rag;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.bson.BsonDocument;
import org.bson.Document;
import org.bson.conversions.Bson;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoClientSettings;

/**
 * The production path (RAG_SEARCH_MODE=atlas) cannot run here (no Atlas), so its pipeline is pinned instead: a
 * {@code $vectorSearch} first stage over {@code embedding} with the scope as a pre-filter on fields the index
 * declares as filters, then a projection carrying the score.
 */
class AtlasVectorSearchTests {

    private static BsonDocument bson(Bson stage) {
        return stage.toBsonDocument(BsonDocument.class, MongoClientSettings.getDefaultCodecRegistry());
    }

    private static RagProperties atlas() {
        RagProperties d = RagTestSupport.defaults();
        return new RagProperties(RagProperties.SearchMode.ATLAS, d.maxScanChunks(), 4, d.minScore(), d.chunkChars(),
                d.chunkOverlapChars(), d.uploadMaxSize(), false, "chunks_embedding", 150, false);
    }

    @Test
    void pipelineSearchesTheScopeWithVectorSearchThenProjectsTheScore() {
        VectorRetriever retriever = new VectorRetriever(null, null, atlas(), null);

        List<Bson> pipeline = retriever.atlasPipeline(new SearchScope("alice", "bio", null), new float[] {0.5f, -0.25f});

        BsonDocument search = bson(pipeline.get(0)).getDocument("$vectorSearch");
        assertThat(search.getString("index").getValue()).isEqualTo("chunks_embedding");
        assertThat(search.getString("path").getValue()).isEqualTo("embedding");
        assertThat(search.getArray("queryVector").stream().map(v -> v.asDouble().getValue())).containsExactly(0.5, -0.25);
        assertThat(search.getInt32("numCandidates").getValue()).isEqualTo(150);
        assertThat(search.getInt32("limit").getValue()).isEqualTo(4);
        assertThat(search.getDocument("filter").toJson()).isEqualTo(
                "{\"$or\": [{\"$and\": [{\"userId\": {\"$eq\": \"alice\"}}, {\"class\": {\"$eq\": \"bio\"}}]}, "
                        + "{\"shared\": {\"$eq\": true}}]}");
        BsonDocument project = bson(pipeline.get(1)).getDocument("$project");
        assertThat(project.getDocument("score").getString("$meta").getValue()).isEqualTo("vectorSearchScore");
        assertThat(project.containsKey("embedding")).isFalse();
    }

    @Test
    void aDocIdScopeStillExcludesOtherUsers() {
        Bson filter = ChunkRepository.scopeFilter(new SearchScope("alice", null, "d1"));

        assertThat(bson(filter).toJson()).isEqualTo("{\"$and\": [{\"docId\": {\"$eq\": \"d1\"}}, {\"$or\": "
                + "[{\"userId\": {\"$eq\": \"alice\"}}, {\"shared\": {\"$eq\": true}}]}]}");
    }

    @Test
    void everyFilteredFieldIsDeclaredInTheIndexDefinition() throws IOException {
        Document definition = Document.parse(Files.readString(Path.of("src/main/resources/atlas/chunks-vector-index.json")));
        List<Document> fields = definition.getList("fields", Document.class);

        assertThat(fields).anySatisfy(f -> assertThat(f).containsEntry("type", "vector").containsEntry("path", "embedding")
                .containsEntry("numDimensions", 384).containsEntry("similarity", "cosine"));
        assertThat(fields.stream().filter(f -> "filter".equals(f.getString("type"))).map(f -> f.getString("path")))
                .containsExactlyInAnyOrder("docId", "userId", "class", "shared");
    }
}
