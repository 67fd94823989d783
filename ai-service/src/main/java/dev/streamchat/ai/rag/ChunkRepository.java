package dev.streamchat.ai.rag;

import java.util.ArrayList;
import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Repository;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.SearchIndexModel;
import com.mongodb.client.model.SearchIndexType;
import com.mongodb.reactivestreams.client.MongoCollection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code chunks} collection: each chunk's text, its all-MiniLM-L6-v2 embedding and the fields scope filters and
 * citations need ({@code docId}, {@code userId}, {@code class}, {@code shared}, {@code title}, {@code page}).
 */
@Repository
class ChunkRepository {

    static final String COLLECTION = "chunks";
    private static final int INSERT_BATCH = 200;

    private final ReactiveMongoTemplate mongo;

    ChunkRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    Mono<MongoCollection<Document>> collection() {
        return mongo.getCollection(COLLECTION);
    }

    Mono<Void> ensureIndexes() {
        return collection().flatMap(c -> Mono.from(c.createIndex(Indexes.ascending("docId"),
                        new IndexOptions().name("docId")))
                .then(Mono.from(c.createIndex(Indexes.ascending("userId", "class"), new IndexOptions().name("user_class"))))
                .then(Mono.from(c.createIndex(Indexes.ascending("shared"), new IndexOptions().name("shared")))))
                .then();
    }

    /**
     * Creates the Atlas Vector Search index {@code name} unless it exists; emits whether it was created. Only Atlas
     * (or a local Atlas deployment) supports this; elsewhere the publisher errors.
     */
    Mono<Boolean> ensureVectorSearchIndex(String name, Document definition) {
        return collection().flatMap(c -> Flux.from(c.listSearchIndexes())
                .any(index -> name.equals(index.getString("name")))
                .flatMap(exists -> exists ? Mono.just(false)
                        : Flux.from(c.createSearchIndexes(List.of(new SearchIndexModel(name, definition,
                                SearchIndexType.vectorSearch())))).then(Mono.just(true))));
    }

    Mono<Void> insertAll(List<Document> chunks) {
        if (chunks.isEmpty()) {
            return Mono.empty();
        }
        List<List<Document>> batches = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i += INSERT_BATCH) {
            batches.add(chunks.subList(i, Math.min(chunks.size(), i + INSERT_BATCH)));
        }
        return collection().flatMapMany(c -> Flux.fromIterable(batches).concatMap(batch -> Mono.from(c.insertMany(batch))))
                .then();
    }

    Mono<Long> deleteByDocId(String docId) {
        return delete(Filters.eq("docId", docId));
    }

    /** Removes the chunks one indexing run of a document wrote. */
    Mono<Long> deleteRun(String docId, String run) {
        return delete(Filters.and(Filters.eq("docId", docId), Filters.eq("run", run)));
    }

    /** Removes a document's chunks from every run but {@code run}. */
    Mono<Long> deleteOtherRuns(String docId, String run) {
        return delete(Filters.and(Filters.eq("docId", docId), Filters.ne("run", run)));
    }

    Mono<Long> countByDocId(String docId) {
        return collection().flatMap(c -> Mono.from(c.countDocuments(Filters.eq("docId", docId))));
    }

    private Mono<Long> delete(Bson filter) {
        return collection().flatMap(c -> Mono.from(c.deleteMany(filter))).map(r -> r.getDeletedCount());
    }

    /** At most {@code limit} chunks matching {@code filter}, with their embeddings, in storage order. */
    Flux<Document> scan(Bson filter, int limit) {
        Bson projection = Projections.include("docId", "title", "page", "text", "embedding");
        return collection().flatMapMany(c -> c.find(filter).projection(projection).limit(limit).batchSize(500));
    }

    /** The first {@code limit} chunks of a document in reading order, without their embeddings. */
    Flux<Document> firstChunks(String docId, int limit) {
        Bson projection = Projections.include("docId", "title", "page", "text", "index");
        return collection().flatMapMany(c -> c.find(eq("docId", docId)).projection(projection)
                .sort(new Document("index", 1)).limit(limit));
    }

    Flux<Document> aggregate(List<Bson> pipeline) {
        return collection().flatMapMany(c -> c.aggregate(pipeline));
    }

    /**
     * The chunks {@code scope} may see (CONTRACT.md section 1), as a filter usable both by {@code find} and by
     * Atlas {@code $vectorSearch} (explicit {@code $eq}, fields indexed as filters). Another user's chunks never match.
     */
    static Bson scopeFilter(SearchScope scope) {
        Bson visible = scope.userId() == null ? eq("shared", true) : Filters.or(eq("userId", scope.userId()), eq("shared", true));
        if (scope.docId() != null) {
            return Filters.and(eq("docId", scope.docId()), visible);
        }
        if (scope.userId() == null) {
            return eq("shared", true);
        }
        Bson own = scope.className() == null ? eq("userId", scope.userId())
                : Filters.and(eq("userId", scope.userId()), eq("class", scope.className()));
        return Filters.or(own, eq("shared", true));
    }

    private static Bson eq(String field, Object value) {
        return new Document(field, new Document("$eq", value));
    }
}
