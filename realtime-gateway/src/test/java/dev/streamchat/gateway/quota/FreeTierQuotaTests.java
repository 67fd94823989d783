package dev.streamchat.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.bson.BsonDocument;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandSucceededEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.config.MovableClock;
import dev.streamchat.gateway.config.TestRedis;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.stream.StreamProperties;
import dev.streamchat.infra.EmbeddedMongo;
import reactor.core.publisher.Mono;

/** Reservations and monthly counts against real (embedded) Redis and MongoDB, with a movable clock. */
class FreeTierQuotaTests {

    static TestRedis redisServer;
    static EmbeddedMongo mongoServer;
    static MongoClient mongoClient;
    static GatewayRedis redis;
    static ReactiveMongoTemplate mongo;

    @BeforeAll
    static void start() {
        redisServer = TestRedis.start();
        mongoServer = EmbeddedMongo.inMemory();
        redis = redisServer.gatewayRedis();
        mongoClient = MongoClients.create(mongoServer.uri("chat"));
        mongo = new ReactiveMongoTemplate(mongoClient, "chat");
        // Open the connections before the timed calls (a cold start on a busy machine can pass 2 s).
        mongo.getCollection("users").flatMap(c -> Mono.from(c.countDocuments())).block(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() {
        mongoClient.close();
        mongoServer.close();
        redisServer.close();
    }

    private FreeTierQuota quota(MovableClock clock, int limit) {
        return new FreeTierQuota(redis, new UsageCounter(mongo), new QuotaProperties(limit, Duration.ofSeconds(180)),
                streams(), new SimpleMeterRegistry(), clock);
    }

    private static StreamProperties streams() {
        return new StreamProperties(true, Duration.ofSeconds(60), Duration.ofSeconds(120), Duration.ofSeconds(300),
                Duration.ofMillis(50));
    }

    /** The user's usage as another writer may have stored it: {@code periodStart} a date or an ISO string. */
    private void storeUser(AuthenticatedUser user, int chatRequestCount, Object periodStart) {
        mongo.getCollection("users").flatMap(c -> Mono.from(c.insertOne(new Document("_id", user.userId())
                .append("plan", "free").append("chatRequestCount", chatRequestCount)
                .append("periodStart", periodStart)))).block();
    }

    private static AuthenticatedUser freeUser() {
        return new AuthenticatedUser("q" + UUID.randomUUID().toString().substring(0, 8), "free");
    }

    @Test
    void reservationsOfADeadGatewayExpire() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-10T10:00:00Z"));
        FreeTierQuota quota = quota(clock, 2);
        AuthenticatedUser user = freeUser();
        quota.reserve(user, "a").block();
        quota.reserve(user, "b").block();
        assertThatThrownBy(() -> quota.reserve(user, "c").block())
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED));
        // Nobody released a or b (their gateway died): after the reservation lifetime they no longer count.
        clock.advance(Duration.ofSeconds(181));
        quota.reserve(user, "c").block();
        assertThat(quota.snapshot(user).block().reserved()).isEqualTo(1);
    }

    @Test
    void countsCompletedRepliesAndStartsAgainInANewMonth() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-30T23:59:00Z"));
        FreeTierQuota quota = quota(clock, 3);
        AuthenticatedUser user = freeUser();
        storeUser(user, 2, Date.from(Instant.parse("2026-11-01T00:00:00Z")));
        quota.reserve(user, "s1").block();
        QuotaSnapshot after = quota.commit(user, "s1").block();
        assertThat(after.used()).isEqualTo(3);
        assertThat(after.reserved()).isZero();
        assertThat(after.resetsAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
        assertThatThrownBy(() -> quota.reserve(user, "s2").block()).isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).getBody().getProperties()).containsKey("quota"));

        clock.set(Instant.parse("2026-12-01T00:00:01Z"));
        assertThat(quota.snapshot(user).block().used()).isZero();
        quota.reserve(user, "s3").block();
        assertThat(quota.commit(user, "s3").block().used()).isEqualTo(1);
        Document stored = mongo.findById(user.userId(), Document.class, "users").block();
        assertThat(((Number) stored.get("chatRequestCount")).longValue()).isEqualTo(1);
        assertThat(stored.getDate("periodStart").toInstant()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    }

    @Test
    void aChargeReadsBackTheCountWithoutTheUsersChargeHistory() {
        List<BsonDocument> chargeReplies = new CopyOnWriteArrayList<>();
        CommandListener listener = new CommandListener() {
            @Override
            public void commandSucceeded(CommandSucceededEvent event) {
                if (event.getCommandName().equalsIgnoreCase("findAndModify")) {
                    chargeReplies.add(event.getResponse());
                }
            }
        };
        try (MongoClient listened = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongoServer.uri("chat"))).addCommandListener(listener)
                .build())) {
            UsageCounter usage = new UsageCounter(new ReactiveMongoTemplate(listened, "chat"));
            AuthenticatedUser user = freeUser();
            Instant now = Instant.now();
            for (int i = 1; i <= 3; i++) {
                assertThat(usage.increment(user.userId(), user.plan(), now, "s" + i).block()).isEqualTo(i);
            }
            BsonDocument last = chargeReplies.get(chargeReplies.size() - 1).getDocument("value");
            assertThat(last.keySet()).containsOnly("_id", "chatRequestCount");
        }
    }

    @Test
    void aRepeatedChargeCountsOnceAndAPeriodStartStoredAsTextIsRead() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-15T12:00:00Z"));
        FreeTierQuota quota = quota(clock, 5);
        AuthenticatedUser user = freeUser();
        storeUser(user, 2, "2026-11-01T00:00:00Z");

        quota.reserve(user, "s1").block();
        assertThat(quota.commit(user, "s1").block().used()).isEqualTo(3);
        assertThat(quota.commit(user, "s1").block().used()).isEqualTo(3);
        quota.reserve(user, "s2").block();
        assertThat(quota.commit(user, "s2").block().used()).isEqualTo(4);
        assertThat(quota.commit(user, "s2").block().used()).isEqualTo(4);

        Document stored = mongo.findById(user.userId(), Document.class, "users").block();
        assertThat(((Number) stored.get("chatRequestCount")).longValue()).isEqualTo(4);
        assertThat(stored.getList("charged", String.class)).containsExactly("s1", "s2");
    }

    @Test
    void releasingGivesTheReservationBack() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-10T10:00:00Z"));
        FreeTierQuota quota = quota(clock, 1);
        AuthenticatedUser user = freeUser();
        quota.reserve(user, "x").block();
        quota.release(user, "x").block();
        quota.reserve(user, "y").block();
        assertThat(quota.snapshot(user).block().toJson()).containsEntry("used", 0L).containsEntry("reserved", 1L)
                .containsEntry("limit", 1);
        assertThat(Map.of()).isEmpty();
    }

    @Test
    void onceTheMonthsCountIsInRedisAReservationReadsNothingFromMongo() {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-10T10:00:00Z"));
        AuthenticatedUser user = freeUser();
        mongo.getCollection("users").flatMap(c -> Mono.from(c.insertOne(new Document("_id", user.userId())
                .append("plan", "free").append("chatRequestCount", 1)
                .append("periodStart", Date.from(Instant.parse("2026-11-01T00:00:00Z")))))).block();
        quota(clock, 3).reserve(user, "first").block(); // seeds the month's count (1) from MongoDB

        // A quota whose MongoDB is gone: the next reservations of that user need Redis only, and still count the seed.
        MongoClient closed = MongoClients.create(mongoServer.uri("chat"));
        closed.close();
        FreeTierQuota redisOnly = new FreeTierQuota(redis, new UsageCounter(new ReactiveMongoTemplate(closed, "chat")),
                new QuotaProperties(3, Duration.ofSeconds(180)), streams(), new SimpleMeterRegistry(), clock);
        redisOnly.reserve(user, "second").block(Duration.ofSeconds(5));
        assertThatThrownBy(() -> redisOnly.reserve(user, "third").block(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED));
        // A user whose count is not in Redis yet needs MongoDB: 503, not a reservation on a guessed count.
        assertThatThrownBy(() -> redisOnly.reserve(freeUser(), "other").block(Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE));
    }
}
