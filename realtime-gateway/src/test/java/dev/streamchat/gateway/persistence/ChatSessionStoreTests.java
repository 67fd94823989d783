package dev.streamchat.gateway.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import reactor.core.publisher.Flux;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

import dev.streamchat.infra.EmbeddedMongo;

/** {@link ChatSessionStoreContract} against the embedded MongoDB-wire server with the real reactive driver. */
class ChatSessionStoreTests extends ChatSessionStoreContract {

    static EmbeddedMongo server;
    static MongoClient client;
    static ReactiveMongoTemplate template;

    @BeforeAll
    static void start() {
        server = EmbeddedMongo.inMemory();
        client = MongoClients.create(server.uri("chat"));
        template = new ReactiveMongoTemplate(client, "chat");
    }

    @AfterAll
    static void stop() {
        client.close();
        server.close();
    }

    @Override
    ReactiveMongoTemplate mongo() {
        return template;
    }

    /**
     * The save of a finished stream (and the other per-session calls of the stream path) examines the same number
     * of documents with 20 or 1,000 sessions stored: it is served by the {@code _id} index, never by a scan.
     */
    @Test
    void aSaveExaminesTheSameDocumentsHoweverManySessionsAreStored() {
        String owner = "cost-" + user;
        storeSessions(owner, 0, 20);
        List<Long> few = perSessionCosts(owner, 10);
        storeSessions(owner, 20, 1_000);
        List<Long> many = perSessionCosts(owner, 500);

        assertThat(few).as("documents examined by save-new / save-existing / add-version / find / exists at 20 sessions")
                .allSatisfy(examined -> assertThat(examined).isLessThanOrEqualTo(1));
        assertThat(many).as("the same calls at 1,000 sessions").isEqualTo(few);
    }

    private List<Long> perSessionCosts(String owner, int n) {
        String existing = "cost-s" + n + "-" + user;
        String fresh = "cost-new" + n + "-" + user;
        Instant now = Instant.now();
        List<Long> costs = new ArrayList<>();
        costs.add(examinedBy(() -> store.appendExchange(fresh, owner, "q", "u-" + n, "a-" + n, reply(), now).block(WAIT)));
        costs.add(examinedBy(() -> store.appendExchange(existing, owner, "q2", "u2-" + n, "a2-" + n, reply(), now).block(WAIT)));
        costs.add(examinedBy(() -> store.addVersion(existing, owner, "a2-" + n, reply(), now).block(WAIT)));
        costs.add(examinedBy(() -> store.find(existing, owner).block(WAIT)));
        costs.add(examinedBy(() -> store.exists(existing).block(WAIT)));
        return costs;
    }

    private void storeSessions(String owner, int from, int to) {
        Instant now = Instant.now();
        Flux.range(from, to - from)
                .concatMap(i -> store.appendExchange("cost-s" + i + "-" + user, owner, "question " + i, "u" + i, "a" + i, reply(), now))
                .blockLast(Duration.ofSeconds(120));
    }

    private static long examinedBy(Supplier<?> call) {
        long before = server.documentsExamined();
        call.get();
        return server.documentsExamined() - before;
    }

    private static StoredReply reply() {
        return new StoredReply("an answer", List.of(), List.of(), Map.of("promptTokens", 3, "completionTokens", 2),
                "general_qa", "synthetic", false, false);
    }

    private static final Duration WAIT = Duration.ofSeconds(10);
}
