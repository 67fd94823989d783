package dev.streamchat.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.event.CommandListener;
import com.mongodb.event.CommandStartedEvent;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import dev.streamchat.infra.EmbeddedMongo;
import reactor.core.publisher.Flux;

/** The plan in force, read through the real MongoDB driver from the embedded MongoDB-wire server, counting its reads. */
class UserAccountsTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    static EmbeddedMongo mongoServer;
    static MongoClient mongoClient;
    static final AtomicInteger planReads = new AtomicInteger();

    UserAccounts users;

    @BeforeAll
    static void start() {
        mongoServer = EmbeddedMongo.inMemory();
        CommandListener countPlanReads = new CommandListener() {
            @Override
            public void commandStarted(CommandStartedEvent event) {
                BsonDocument command = event.getCommand();
                if (event.getCommandName().equals("find")
                        && command.getString("find").getValue().equals(UserAccounts.COLLECTION)) {
                    planReads.incrementAndGet();
                }
            }
        };
        mongoClient = MongoClients.create(MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(mongoServer.uri("chat")))
                .addCommandListener(countPlanReads)
                .build());
    }

    @AfterAll
    static void stop() {
        mongoClient.close();
        mongoServer.close();
    }

    @BeforeEach
    void accounts() {
        users = new UserAccounts(new ReactiveMongoTemplate(mongoClient, "chat"));
    }

    private static String newUserId() {
        return "u" + UUID.randomUUID().toString().substring(0, 12);
    }

    @Test
    void aPrefetchReadsThePlanThatTheRequestThenUses() {
        String userId = newUserId();
        users.upsert(userId, "pro").block(WAIT);
        int before = planReads.get();

        users.prefetch(userId);
        await().atMost(WAIT).until(() -> planReads.get() == before + 1);
        AuthenticatedUser inForce = users.inForce(new AuthenticatedUser(userId, "free")).block(WAIT);

        assertThat(inForce.plan()).isEqualTo("pro");
        assertThat(planReads.get() - before).as("reads of the plan").isEqualTo(1);
    }

    @Test
    void callersThatComeWhileAReadRunsShareIt() {
        String userId = newUserId();
        users.upsert(userId, "pro").block(WAIT);
        int before = planReads.get();

        List<AuthenticatedUser> answers = Flux.range(0, 20)
                .flatMap(i -> users.inForce(new AuthenticatedUser(userId, "free")))
                .collectList().block(WAIT);

        assertThat(answers).hasSize(20).allSatisfy(user -> assertThat(user.plan()).isEqualTo("pro"));
        assertThat(planReads.get() - before).as("reads of the plan").isEqualTo(1);
    }

    @Test
    void aPlanChangeIsInForceAtOnceOnTheNodeThatMadeIt() {
        String userId = newUserId();
        users.upsert(userId, "free").block(WAIT);
        assertThat(users.inForce(new AuthenticatedUser(userId, "free")).block(WAIT).plan()).isEqualTo("free");

        users.prefetch(userId); // cached: nothing to read
        users.upsert(userId, "pro").block(WAIT);

        assertThat(users.inForce(new AuthenticatedUser(userId, "free")).block(WAIT).plan()).isEqualTo("pro");
    }

    @Test
    void withoutADocumentEachCallerKeepsItsTokensPlan() {
        String userId = newUserId();

        assertThat(users.inForce(new AuthenticatedUser(userId, "free")).block(WAIT).plan()).isEqualTo("free");
        assertThat(users.inForce(new AuthenticatedUser(userId, "pro")).block(WAIT).plan()).isEqualTo("pro");
    }
}
