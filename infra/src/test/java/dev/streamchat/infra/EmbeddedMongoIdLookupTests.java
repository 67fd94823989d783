package dev.streamchat.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

/**
 * Queries that pin {@code _id} next to other fields (the gateway's owner-checked session reads and writes) examine
 * the one document the {@code _id} index finds, however many documents the collection holds, and still answer exactly
 * what the whole query asks. Checked on both backends through the real driver.
 */
class EmbeddedMongoIdLookupTests {

    @Test
    void inMemoryOwnerCheckedQueriesExamineOneDocumentAtAnySize() {
        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory()) {
            assertOneDocumentExamined(mongo);
        }
    }

    @Test
    void onDiskOwnerCheckedQueriesExamineOneDocumentAtAnySize(@TempDir Path dir) {
        try (EmbeddedMongo mongo = EmbeddedMongo.onDisk(EmbeddedRedis.FreePorts.pick(), dir.resolve("chat.mv"))) {
            assertOneDocumentExamined(mongo);
        }
    }

    @Test
    void onDiskDataStoredBeforeARestartIsStillServedByTheIdIndex(@TempDir Path dir) {
        Path file = dir.resolve("chat.mv");
        int port = EmbeddedRedis.FreePorts.pick();
        try (EmbeddedMongo mongo = EmbeddedMongo.onDisk(port, file); MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            insertSessions(client.getDatabase("chat").getCollection("chat_sessions"), 0, 300);
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.onDisk(port, file); MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            MongoCollection<Document> sessions = client.getDatabase("chat").getCollection("chat_sessions");
            long examined = examinedBy(mongo, () -> sessions.find(Filters.and(Filters.eq("_id", "s-150"), Filters.eq("userId", "u-150"))).first());
            assertThat(examined).isEqualTo(1);
            assertThat(sessions.countDocuments()).isEqualTo(300);
        }
    }

    private static void assertOneDocumentExamined(EmbeddedMongo mongo) {
        try (MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            MongoCollection<Document> sessions = client.getDatabase("chat").getCollection("chat_sessions");
            insertSessions(sessions, 0, 10);
            List<Long> small = costs(mongo, sessions, 5);
            insertSessions(sessions, 10, 1_000);
            List<Long> large = costs(mongo, sessions, 500);

            assertThat(small).as("documents examined by find / update / upsert-new / find by _id at 10 sessions").containsExactly(1L, 1L, 0L, 1L);
            assertThat(large).as("the same at 1,000 sessions").isEqualTo(small);

            // the whole query still decides: the right _id with another owner matches nothing, and the scan-free
            // upsert of an owner-checked filter does not take over another user's session
            assertThat(sessions.find(Filters.and(Filters.eq("_id", "s-7"), Filters.eq("userId", "intruder"))).first()).isNull();
            assertThat(sessions.find(new Document("_id", "s-7").append("userId", "intruder")).first()).isNull();
            assertThat(sessions.find(new Document("_id", "s-7").append("userId", "u-7")).first()).isNotNull();
            assertThat(sessions.find(Filters.and(Filters.eq("_id", "s-7"), Filters.eq("userId", "u-7"))).first()).isNotNull();
            Document found = sessions.find(Filters.and(Filters.in("_id", "s-3", "s-4", "nope"), Filters.eq("userId", "u-4"))).first();
            assertThat(found).isNotNull();
            assertThat(found.getString("_id")).isEqualTo("s-4");
            assertThat(sessions.updateOne(Filters.and(Filters.eq("_id", "s-8"), Filters.eq("userId", "intruder")),
                    Updates.set("title", "taken"), new UpdateOptions()).getMatchedCount()).isZero();
        }
    }

    /** Documents examined by: an owner-checked find, an owner-checked $push, an upsert of a new session, a find by _id. */
    private static List<Long> costs(EmbeddedMongo mongo, MongoCollection<Document> sessions, int n) {
        String id = "s-" + n;
        String owner = "u-" + n;
        List<Long> costs = new ArrayList<>();
        costs.add(examinedBy(mongo, () -> sessions.find(Filters.and(Filters.eq("_id", id), Filters.eq("userId", owner))).first()));
        costs.add(examinedBy(mongo, () -> sessions.updateOne(Filters.and(Filters.eq("_id", id), Filters.eq("userId", owner)),
                Updates.combine(Updates.push("messages", new Document("role", "user").append("content", "q")),
                        Updates.set("updatedAt", n)), new UpdateOptions().upsert(true))));
        String fresh = "new-" + n;
        costs.add(examinedBy(mongo, () -> sessions.updateOne(Filters.and(Filters.eq("_id", fresh), Filters.eq("userId", owner)),
                Updates.push("messages", new Document("role", "user")), new UpdateOptions().upsert(true))));
        costs.add(examinedBy(mongo, () -> sessions.find(Filters.eq("_id", id)).projection(new Document("_id", 1)).first()));
        return costs;
    }

    private static long examinedBy(EmbeddedMongo mongo, Supplier<?> call) {
        long before = mongo.documentsExamined();
        call.get();
        return mongo.documentsExamined() - before;
    }

    private static void insertSessions(MongoCollection<Document> sessions, int from, int to) {
        List<Document> batch = new ArrayList<>();
        for (int i = from; i < to; i++) {
            batch.add(new Document("_id", "s-" + i).append("userId", "u-" + i).append("title", "t")
                    .append("messages", List.of(new Document("role", "user").append("content", "question " + i))));
        }
        sessions.insertMany(batch);
    }
}
