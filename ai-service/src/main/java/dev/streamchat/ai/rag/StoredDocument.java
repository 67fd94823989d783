package dev.streamchat.ai.rag;

import java.time.Instant;
import java.util.Date;

import org.bson.Document;

/**
 * One entry of the {@code documents} collection. Shared sample-library documents have {@code shared = true} and no
 * {@code userId}; {@code run} identifies the indexing run whose chunks are current. {@code phase} and {@code percent}
 * tell how far indexing got ({@link IndexingProgress}): {@code parsing}, {@code chunking}, {@code embedding}, then
 * {@code ready} (100) or {@code failed}.
 */
record StoredDocument(String docId, String userId, String className, boolean shared, String title, String fileName,
                      String status, int chunks, String error, String contentHash, String run,
                      Instant createdAt, Instant updatedAt, String phase, int percent) {

    static final String INDEXING = "indexing";
    static final String READY = "ready";
    static final String FAILED = "failed";

    /** A document whose progress follows from its status: indexing starts with parsing at 0 %. */
    StoredDocument(String docId, String userId, String className, boolean shared, String title, String fileName,
            String status, int chunks, String error, String contentHash, String run, Instant createdAt,
            Instant updatedAt) {
        this(docId, userId, className, shared, title, fileName, status, chunks, error, contentHash, run, createdAt,
                updatedAt, IndexingProgress.phaseOf(status), READY.equals(status) ? 100 : 0);
    }

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
                .append("updatedAt", Date.from(updatedAt))
                .append("phase", phase)
                .append("percent", percent);
    }

    static StoredDocument fromBson(Document d) {
        String status = d.getString("status");
        // Documents stored before progress was recorded have neither field: derive them from the status.
        String phase = d.getString("phase") != null ? d.getString("phase") : IndexingProgress.phaseOf(status);
        int percent = d.get("percent") instanceof Number p ? p.intValue() : READY.equals(status) ? 100 : 0;
        return new StoredDocument(d.getString("_id"), d.getString("userId"), d.getString("class"),
                Boolean.TRUE.equals(d.getBoolean("shared")), d.getString("title"), d.getString("fileName"),
                status, d.get("chunks") instanceof Number n ? n.intValue() : 0, d.getString("error"),
                d.getString("contentHash"), d.getString("run"), instant(d.getDate("createdAt")),
                instant(d.getDate("updatedAt")), phase, percent);
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
