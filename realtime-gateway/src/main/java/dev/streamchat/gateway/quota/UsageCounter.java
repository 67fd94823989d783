package dev.streamchat.gateway.quota;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.PushOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;
import com.mongodb.reactivestreams.client.MongoCollection;

import java.util.List;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.StoreTimeouts;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * {@code users.chatRequestCount} / {@code periodStart}: the durable count of completed replies this month.
 * Increments are compare-and-set on the values read, so they work whatever type another writer stored
 * {@code periodStart} as, and reset the count when the month changed.
 */
@Component
class UsageCounter {

    static final String USERS = "users";
    /** What a charge reads back: the month's count, not the charge history. */
    private static final Bson COUNT_ONLY = Projections.include("chatRequestCount");
    /** What a read of the count needs: the count and its month, not the charge history. */
    private static final Bson COUNT_AND_PERIOD = Projections.include("chatRequestCount", "periodStart");

    private final ReactiveMongoTemplate mongo;

    UsageCounter(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** Completed replies of the current month. */
    Mono<Long> used(String userId, Instant now) {
        QuotaPeriod period = QuotaPeriod.of(now);
        return mongo.getCollection(USERS)
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", userId)).projection(COUNT_AND_PERIOD).first()))
                .map(doc -> period.contains(doc.get("periodStart")) ? count(doc) : 0L)
                .defaultIfEmpty(0L)
                .timeout(StoreTimeouts.CALL);
    }

    /**
     * Adds one completed reply, once per {@code streamId}: the stream ids of the latest {@value #RECENT_CHARGES}
     * charges are kept on the user ({@code charged}) and an update for an id already there changes nothing, so a
     * repeated charge (a retry, a replayed pending reply) counts once. Returns the count of the current month after
     * it. Within the month this is one atomic {@code $inc}, for a user whose {@code periodStart} is a date in this
     * month: a single write, no read first. Anything else (no user yet, a new month, a {@code periodStart} another
     * writer stored as a string, a repeat) is read first: an {@code $inc} guarded by the {@code periodStart} read, and
     * only the first reply of a new month swaps the period with a compare-and-set.
     */
    Mono<Long> increment(String userId, String plan, Instant now, String streamId) {
        QuotaPeriod period = QuotaPeriod.of(now);
        Bson thisMonthNotCharged = Filters.and(Filters.eq("_id", userId),
                Filters.gte("periodStart", Date.from(period.start())),
                Filters.lt("periodStart", Date.from(period.resetsAt())), Filters.ne("charged", streamId));
        return mongo.getCollection(USERS)
                .flatMap(c -> incrementWhere(c, thisMonthNotCharged, streamId)
                        .switchIfEmpty(Mono.defer(() -> readThenIncrement(c, userId, plan, period, streamId))))
                .retryWhen(Retry.backoff(8, Duration.ofMillis(5)).filter(ConcurrentUpdate.class::isInstance))
                .timeout(StoreTimeouts.CALL);
    }

    private static Mono<Long> readThenIncrement(MongoCollection<Document> c, String userId, String plan,
                                                QuotaPeriod period, String streamId) {
        return Mono.from(c.find(Filters.eq("_id", userId)).first())
                .flatMap(doc -> {
                    if (alreadyCharged(doc, streamId)) {
                        return Mono.just(period.contains(doc.get("periodStart")) ? count(doc) : 0L);
                    }
                    Object periodStart = doc.get("periodStart");
                    if (period.contains(periodStart)) {
                        return incrementWhere(c, Filters.and(Filters.eq("_id", userId),
                                        Filters.eq("periodStart", periodStart), Filters.ne("charged", streamId)), streamId)
                                .switchIfEmpty(Mono.error(new ConcurrentUpdate()));
                    }
                    return Mono.from(c.updateOne(
                                    Filters.and(Filters.eq("_id", userId),
                                            Filters.eq("chatRequestCount", doc.get("chatRequestCount")),
                                            Filters.eq("periodStart", periodStart),
                                            Filters.ne("charged", streamId)),
                                    Updates.combine(Updates.set("chatRequestCount", 1),
                                            Updates.set("periodStart", Date.from(period.start())),
                                            remember(streamId))))
                            .flatMap(result -> result.getMatchedCount() == 1 ? Mono.just(1L)
                                    : Mono.error(new ConcurrentUpdate()));
                })
                .switchIfEmpty(Mono.defer(() -> Mono.from(c.insertOne(new Document("_id", userId)
                                .append("plan", plan)
                                .append("chatRequestCount", 1)
                                .append("periodStart", Date.from(period.start()))
                                .append("charged", List.of(streamId))))
                        .thenReturn(1L)
                        .onErrorMap(MongoWriteException.class, e -> new ConcurrentUpdate())));
    }

    /**
     * One more completed reply on the user the filter matches, remembered by stream id; empty when none matched. Only
     * the count comes back: the user's {@code charged} history (up to {@value #RECENT_CHARGES} ids, ~8 KB of BSON)
     * stays in MongoDB instead of being encoded, sent and decoded on every reply's ending.
     */
    private static Mono<Long> incrementWhere(MongoCollection<Document> c, Bson filter, String streamId) {
        return Mono.from(c.findOneAndUpdate(filter,
                        Updates.combine(Updates.inc("chatRequestCount", 1), remember(streamId)),
                        new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER)
                                .projection(COUNT_ONLY)))
                .map(UsageCounter::count);
    }

    static final int RECENT_CHARGES = 200;

    private static Bson remember(String streamId) {
        return Updates.pushEach("charged", List.of(streamId), new PushOptions().slice(-RECENT_CHARGES));
    }

    private static boolean alreadyCharged(Document doc, String streamId) {
        return doc.get("charged") instanceof List<?> charged && charged.contains(streamId);
    }

    private static long count(Document doc) {
        Object value = doc.get("chatRequestCount");
        return value instanceof Number number ? number.longValue() : 0L;
    }

    /** Another writer changed the user between our read and our write: read again. */
    static final class ConcurrentUpdate extends RuntimeException {
        ConcurrentUpdate() {
            super(null, null, false, false);
        }
    }
}
