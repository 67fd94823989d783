package dev.streamchat.gateway.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Date;

import org.bson.Document;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.data.mongodb.core.query.Update;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * The {@code users} collection as far as auth needs it: {@code {_id: userId, plan, chatRequestCount, periodStart}}.
 * The plan stored here is the plan in force. MongoDB trouble becomes a fast 503 {@code unavailable}.
 */
@Component
public class UserAccounts {

    static final String COLLECTION = "users";
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ReactiveMongoTemplate mongo;
    private final Clock clock;

    @Autowired
    public UserAccounts(ReactiveMongoTemplate mongo) {
        this(mongo, Clock.systemUTC());
    }

    UserAccounts(ReactiveMongoTemplate mongo, Clock clock) {
        this.mongo = mongo;
        this.clock = clock;
    }

    /** Creates the user or changes their plan; a new user starts with no chats counted in this month (UTC). */
    public Mono<Void> upsert(String userId, String plan) {
        Date periodStart = Date.from(LocalDate.now(clock.withZone(ZoneOffset.UTC)).withDayOfMonth(1)
                .atStartOfDay(ZoneOffset.UTC).toInstant());
        Update update = new Update()
                .set("plan", plan)
                .setOnInsert("chatRequestCount", 0)
                .setOnInsert("periodStart", periodStart);
        return mongo.upsert(Query.query(Criteria.where("_id").is(userId)), update, COLLECTION)
                .timeout(TIMEOUT)
                .onErrorMap(UserAccounts::unavailable)
                .then();
    }

    /** The stored plan, or empty when the user has no document. */
    public Mono<String> storedPlan(String userId) {
        return mongo.findById(userId, Document.class, COLLECTION)
                .timeout(TIMEOUT)
                .onErrorMap(UserAccounts::unavailable)
                .flatMap(document -> Mono.justOrEmpty(document.getString("plan")));
    }

    private static Throwable unavailable(Throwable error) {
        return error instanceof ApiException ? error
                : new ApiException(ErrorCode.UNAVAILABLE, "The user store is unavailable, try again shortly.",
                        Duration.ofSeconds(2), java.util.Map.of());
    }
}
