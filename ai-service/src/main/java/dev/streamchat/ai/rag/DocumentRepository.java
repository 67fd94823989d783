package dev.streamchat.ai.rag;

import java.time.Instant;
import java.util.Date;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Repository;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The {@code documents} collection, through the reactive MongoDB driver. */
@Repository
class DocumentRepository {

    static final String COLLECTION = "documents";

    private final ReactiveMongoTemplate mongo;

    DocumentRepository(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    private Mono<MongoCollection<Document>> collection() {
        return mongo.getCollection(COLLECTION);
    }

    Mono<Void> ensureIndexes() {
        return collection().flatMap(c -> Mono.from(c.createIndex(Indexes.ascending("userId", "class"),
                new IndexOptions().name("user_class")))).then();
    }

    Mono<StoredDocument> findById(String docId) {
        return collection().flatMap(c -> Mono.from(c.find(Filters.eq("_id", docId)).first()))
                .map(StoredDocument::fromBson);
    }

    /** The user's documents and the shared ones, shared first, then newest first. */
    Flux<StoredDocument> findVisibleTo(String userId) {
        Bson filter = Filters.or(Filters.eq("userId", userId), Filters.eq("shared", true));
        return collection().flatMapMany(c -> c.find(filter).sort(Sorts.orderBy(Sorts.descending("shared"),
                Sorts.descending("createdAt"), Sorts.ascending("_id")))).map(StoredDocument::fromBson);
    }

    /** How many documents {@code userId} owns (the shared library is nobody's). */
    Mono<Long> countOwnedBy(String userId) {
        return collection().flatMap(c -> Mono.from(c.countDocuments(Filters.eq("userId", userId))));
    }

    Flux<StoredDocument> findShared() {
        return collection().flatMapMany(c -> c.find(Filters.eq("shared", true))).map(StoredDocument::fromBson);
    }

    Mono<Void> save(StoredDocument document) {
        return collection().flatMap(c -> Mono.from(c.replaceOne(Filters.eq("_id", document.docId()),
                document.toBson(), new ReplaceOptions().upsert(true)))).then();
    }

    /**
     * Marks the document ready (or failed) only while {@code run} is still its current indexing run; false when the
     * document was deleted or re-uploaded meanwhile, whose chunks of this run must then be dropped.
     */
    Mono<Boolean> finishRun(String docId, String run, String status, int chunks, String error, String title) {
        Bson filter = Filters.and(Filters.eq("_id", docId), Filters.eq("run", run));
        Bson update = Updates.combine(Updates.set("status", status), Updates.set("chunks", chunks),
                Updates.set("error", error), Updates.set("updatedAt", Date.from(Instant.now())),
                Updates.set("phase", IndexingProgress.phaseOf(status)));
        if (StoredDocument.READY.equals(status)) {
            update = Updates.combine(update, Updates.set("percent", 100));
        }
        if (title != null) {
            update = Updates.combine(update, Updates.set("title", title));
        }
        Bson finalUpdate = update;
        return collection().flatMap(c -> Mono.from(c.updateOne(filter, finalUpdate)))
                .map(result -> result.getMatchedCount() > 0);
    }

    /**
     * Records how far indexing run {@code run} got, only while that run is current and still indexing and only
     * forwards ({@code percent} never decreases), so a late write can never undo a newer one or a final status.
     */
    Mono<Boolean> progress(String docId, String run, String phase, int percent) {
        Bson filter = Filters.and(Filters.eq("_id", docId), Filters.eq("run", run),
                Filters.eq("status", StoredDocument.INDEXING),
                Filters.or(Filters.lt("percent", percent), Filters.exists("percent", false)));
        Bson update = Updates.combine(Updates.set("phase", phase), Updates.set("percent", percent));
        return collection().flatMap(c -> Mono.from(c.updateOne(filter, update)))
                .map(result -> result.getMatchedCount() > 0);
    }

    Mono<Boolean> delete(String docId) {
        return collection().flatMap(c -> Mono.from(c.deleteOne(Filters.eq("_id", docId))))
                .map(result -> result.getDeletedCount() > 0);
    }
}
