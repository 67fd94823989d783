package dev.streamchat.ai.rag;

import java.time.Instant;
import java.util.Date;

import org.bson.Document;

/**
 * One entry of the {@code documents} collection. Shared sample-library documents have {@code shared = true} and no
 * {@code userId}; {@code run} identifies the indexing run whose chunks are current.
 */
record StoredDocument(String docId, String userId, String className, boolean shared, String title, String fileName,
                      String status, int chunks, String error, String contentHash, String run,
                      Instant createdAt, Instant updatedAt) {

    static final String INDEXING = "indexing";
    static final String READY = "ready";
    static final String FAILED = "failed";

    /** True when {@code userId} may read this document: it is theirs or shared. */
    boolean visibleTo(String userId) {
        return shared || (this.userId != null && this.userId.equals(userId));
    }

    Document toBson() {
        return new Document("_id", docId)
                .append("userId", userId)
                .append("class", className)
                .append("shared", shared)
                .append("title", title)
                .append("fileName", fileName)
                .append("status", status)
                .append("chunks", chunks)
                .append("error", error)
                .append("contentHash", contentHash)
                .append("run", run)
                .append("createdAt", Date.from(createdAt))
                .append("updatedAt", Date.from(updatedAt));
    }

    static StoredDocument fromBson(Document d) {
        return new StoredDocument(d.getString("_id"), d.getString("userId"), d.getString("class"),
                Boolean.TRUE.equals(d.getBoolean("shared")), d.getString("title"), d.getString("fileName"),
                d.getString("status"), d.get("chunks") instanceof Number n ? n.intValue() : 0, d.getString("error"),
                d.getString("contentHash"), d.getString("run"), instant(d.getDate("createdAt")),
                instant(d.getDate("updatedAt")));
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
