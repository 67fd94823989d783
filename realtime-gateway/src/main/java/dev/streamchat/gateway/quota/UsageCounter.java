package dev.streamchat.gateway.quota;

import java.time.Instant;
import java.util.Date;

import com.mongodb.MongoWriteException;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import org.bson.Document;
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

    private final ReactiveMongoTemplate mongo;

    UsageCounter(ReactiveMongoTemplate mongo) {
        this.mongo = mongo;
    }

    /** Completed replies of the current month. */
    Mono<Long> used(String userId, Instant now) {
        QuotaPeriod period = QuotaPeriod.of(now);
        return mongo.getCollection(USERS)
                .flatMap(c -> Mono.from(c.find(Filters.eq("_id", userId)).first()))
                .map(doc -> period.contains(doc.get("periodStart")) ? count(doc) : 0L)
                .defaultIfEmpty(0L)
                .timeout(StoreTimeouts.CALL);
    }

    /** Adds one completed reply; returns the count of the current month after it. */
    Mono<Long> increment(String userId, String plan, Instant now) {
        QuotaPeriod period = QuotaPeriod.of(now);
        return mongo.getCollection(USERS).flatMap(c -> Mono.from(c.find(Filters.eq("_id", userId)).first())
                        .flatMap(doc -> {
                            boolean inMonth = period.contains(doc.get("periodStart"));
                            long next = inMonth ? count(doc) + 1 : 1;
                            Object periodStart = inMonth ? doc.get("periodStart") : Date.from(period.start());
                            return Mono.from(c.updateOne(
                                            Filters.and(Filters.eq("_id", userId),
                                                    Filters.eq("chatRequestCount", doc.get("chatRequestCount")),
                                                    Filters.eq("periodStart", doc.get("periodStart"))),
                                            Updates.combine(Updates.set("chatRequestCount", next),
                                                    Updates.set("periodStart", periodStart))))
                                    .flatMap(result -> result.getMatchedCount() == 1 ? Mono.just(next)
                                            : Mono.error(new ConcurrentUpdate()));
                        })
                        .switchIfEmpty(Mono.defer(() -> Mono.from(c.insertOne(new Document("_id", userId)
                                        .append("plan", plan)
                                        .append("chatRequestCount", 1L)
                                        .append("periodStart", Date.from(period.start()))))
                                .thenReturn(1L)
                                .onErrorMap(MongoWriteException.class, e -> new ConcurrentUpdate()))))
                .retryWhen(Retry.max(5).filter(ConcurrentUpdate.class::isInstance))
                .timeout(StoreTimeouts.CALL);
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
