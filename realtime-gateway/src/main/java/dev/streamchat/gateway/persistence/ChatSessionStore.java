package dev.streamchat.gateway.persistence;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The {@code chat_sessions} collection (contract section 4). Each finished stream is ONE update: a new
 * exchange pushes the user and assistant messages together; a retry sets the message's current reply and
 * pushes a version. Every call is bounded by {@link StoreTimeouts#CALL}; failures surface as-is (callers map them).
 * Every per-session call pins {@code _id}, so it is served by the {@code _id} index (on the embedded server too, see
 * {@code EmbeddedBackends}): its cost does not grow with the number of stored sessions.
 */
@Component
public class ChatSessionStore {

    public static final String COLLECTION = "chat_sessions";
    private static final int TITLE_MAX = 80;

    private final ReactiveMongoTemplate mongo;

    public ChatSessionStore(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    private Mono<MongoCollection<Document>> sessions() {
        return mongo.getCollection(COLLECTION);
    }

    /** The caller's session (null fields kept), or empty when unknown or another user's. */
    public Mono<Document> find(String sessionId, String userId) {
        return sessions().flatMap(c -> Mono.from(c.find(Filters.and(Filters.eq("_id", sessionId),
                        Filters.eq("userId", userId))).first()))
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Whether a session with this id exists at all (any user). A find by {@code _id}, not {@code countDocuments}:
     * the count is an aggregation, which the embedded MongoDB-wire server answers by scanning the collection.
     */
    public Mono<Boolean> exists(String sessionId) {
        return sessions().flatMap(c -> Mono.from(c.find(Filters.eq("_id", sessionId))
                        .projection(Projections.include("_id")).first()))
                .map(found -> true).defaultIfEmpty(false).timeout(StoreTimeouts.CALL);
    }

    /**
     * Pushes the user message and the assistant message of one exchange in one update (creating the session).
     * Idempotent: the update only matches while the assistant message is absent, so a repeat (a retry after a write
     * that committed but answered too late, or a replay of a pending reply) changes nothing; the upsert it then
     * attempts fails on the existing {@code _id}, which here means "already stored".
     */
    public Mono<Void> appendExchange(String sessionId, String userId, String question, String userMessageId,
                                     String assistantMessageId, StoredReply reply, Instant now) {
        Date at = Date.from(now);
        Document user = message(userMessageId, "user", question, List.of(), List.of(), List.of(), false, false, at);
        Document assistant = message(assistantMessageId, "assistant", reply.content(), reply.citations(),
                reply.chunkReferences(), List.of(version(reply, at, null)), reply.stopped(), reply.contextTrimmed(), at);
        Bson update = Updates.combine(
                Updates.pushEach("messages", List.of(user, assistant)),
                Updates.set("updatedAt", at),
                Updates.setOnInsert("title", title(question)),
                Updates.setOnInsert("createdAt", at));
        return sessions().flatMap(c -> Mono.from(c.updateOne(
                        Filters.and(Filters.eq("_id", sessionId), Filters.eq("userId", userId),
                                Filters.ne("messages.id", assistantMessageId)), update,
                        new UpdateOptions().upsert(true))))
                .onErrorResume(ChatSessionStore::isDuplicateKey, e -> Mono.empty())
                .timeout(StoreTimeouts.CALL)
                .then();
    }

    private static boolean isDuplicateKey(Throwable error) {
        return error instanceof MongoWriteException write && write.getError().getCode() == 11000;
    }

    /** Makes {@code reply} the current content of an assistant message and appends it to its versions. */
    public Mono<Boolean> addVersion(String sessionId, String userId, String messageId, StoredReply reply, Instant now) {
        return addVersion(sessionId, userId, messageId, reply, now, null);
    }

    /**
     * As above, idempotent per {@code streamId} (kept on the version): a repeat finds the version there and changes
     * nothing. True when the version is stored (now or before), false when the session or message is gone.
     */
    public Mono<Boolean> addVersion(String sessionId, String userId, String messageId, StoredReply reply, Instant now,
                                    String streamId) {
        Date at = Date.from(now);
        Bson update = Updates.combine(
                Updates.set("messages.$[m].content", reply.content()),
                Updates.set("messages.$[m].citations", reply.citations()),
                Updates.set("messages.$[m].chunkReferences", reply.chunkReferences()),
                Updates.set("messages.$[m].stopped", reply.stopped()),
                Updates.set("messages.$[m].contextTrimmed", reply.contextTrimmed()),
                Updates.push("messages.$[m].versions", version(reply, at, streamId)),
                Updates.set("updatedAt", at));
        Bson owner = Filters.and(Filters.eq("_id", sessionId), Filters.eq("userId", userId));
        Bson filter = streamId == null ? owner : Filters.and(owner, Filters.elemMatch("messages",
                Filters.and(Filters.eq("id", messageId), Filters.ne("versions.streamId", streamId))));
        return sessions().flatMap(c -> Mono.from(c.updateOne(filter, update,
                                new UpdateOptions().arrayFilters(List.of(Filters.eq("m.id", messageId)))))
                        .flatMap(result -> result.getMatchedCount() > 0 || streamId == null
                                ? Mono.just(result.getMatchedCount() > 0)
                                // Nothing matched: stored before (true), or the message is gone (false).
                                : Mono.from(c.countDocuments(Filters.and(owner, Filters.elemMatch("messages",
                                        Filters.eq("id", messageId))))).map(n -> n > 0)))
                .timeout(StoreTimeouts.CALL);
    }

    /** The caller's sessions by {@code updatedAt} descending, strictly before {@code before} when given. */
    public Flux<Document> list(String userId, Instant before, int limit) {
        Bson filter = before == null ? Filters.eq("userId", userId)
                : Filters.and(Filters.eq("userId", userId), Filters.lt("updatedAt", Date.from(before)));
        return sessions().flatMapMany(c -> Flux.from(c.find(filter)
                        .projection(Projections.include("_id", "title", "updatedAt"))
                        .sort(Sorts.descending("updatedAt"))
                        .limit(limit)))
                .timeout(StoreTimeouts.CALL);
    }

    /** Renames the caller's session; the updated document, or empty when unknown. */
    public Mono<Document> rename(String sessionId, String userId, String title, Instant now) {
        return sessions().flatMap(c -> Mono.from(c.findOneAndUpdate(
                        Filters.and(Filters.eq("_id", sessionId), Filters.eq("userId", userId)),
                        Updates.combine(Updates.set("title", title), Updates.set("updatedAt", Date.from(now))),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)
                                .projection(Projections.include("_id", "title", "updatedAt")))))
                .timeout(StoreTimeouts.CALL);
    }

    public Mono<Boolean> delete(String sessionId, String userId) {
        return sessions().flatMap(c -> Mono.from(c.deleteOne(
                        Filters.and(Filters.eq("_id", sessionId), Filters.eq("userId", userId)))))
                .map(result -> result.getDeletedCount() > 0)
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Sets (or clears with null) the rating of one of the caller's answers; false when the session is unknown or
     * another user's, or the message is unknown or not an answer (a question cannot be rated).
     */
    public Mono<Boolean> feedback(String sessionId, String userId, String messageId, String rating) {
        return sessions().flatMap(c -> Mono.from(c.updateOne(
                        Filters.and(Filters.eq("_id", sessionId), Filters.eq("userId", userId),
                                Filters.elemMatch("messages", Filters.and(Filters.eq("id", messageId),
                                        Filters.eq("role", "assistant")))),
                        Updates.set("messages.$[m].feedback", rating),
                        // Message ids are unique in a session and the filter above matched an answer with this id.
                        new UpdateOptions().arrayFilters(List.of(Filters.eq("m.id", messageId))))))
                .map(result -> result.getMatchedCount() > 0)
                .timeout(StoreTimeouts.CALL);
    }

    /** The first question as a title: at most 80 characters, on one line. */
    public static String title(String question) {
        String oneLine = question.strip().replaceAll("\\s+", " ");
        if (oneLine.length() <= TITLE_MAX) {
            return oneLine;
        }
        int end = TITLE_MAX;
        if (Character.isHighSurrogate(oneLine.charAt(end - 1))) {
            end--;
        }
        return oneLine.substring(0, end);
    }

    private static Document message(String id, String role, String content, List<Object> citations,
                                    List<Object> chunkReferences, List<Document> versions, boolean stopped,
                                    boolean contextTrimmed, Date at) {
        Document doc = new Document();
        doc.put("id", id);
        doc.put("role", role);
        doc.put("content", content);
        doc.put("citations", citations);
        doc.put("chunkReferences", chunkReferences);
        doc.put("versions", versions);
        doc.put("stopped", stopped);
        doc.put("contextTrimmed", contextTrimmed);
        doc.put("feedback", null);
        doc.put("createdAt", at);
        return doc;
    }

    private static Document version(StoredReply reply, Date at, String streamId) {
        Document doc = new Document();
        if (streamId != null) {
            doc.put("streamId", streamId);
        }
        doc.put("content", reply.content());
        doc.put("citations", reply.citations());
        doc.put("chunkReferences", reply.chunkReferences());
        doc.put("usage", reply.usage() == null ? null : new Document(reply.usage()));
        doc.put("route", reply.route());
        doc.put("provider", reply.provider());
        doc.put("model", reply.model());
        doc.put("stopped", reply.stopped());
        doc.put("createdAt", at);
        return doc;
    }

    /** Converts stored BSON to JSON-ready values: dates become ISO-8601 UTC strings, documents become maps. */
    public static Object toJson(Object value) {
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), toJson(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(toJson(v)));
            return out;
        }
        return value;
    }
}
