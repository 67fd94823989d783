package dev.streamchat.gateway.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mongodb.MongoDBContainer;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;

/** {@link ChatSessionStoreContract} against a real MongoDB in a container; skipped where there is no Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ChatSessionStoreMongoContainerTests extends ChatSessionStoreContract {

    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:7.0");

    static MongoClient client;
    static ReactiveMongoTemplate template;

    @BeforeAll
    static void connect() {
        client = MongoClients.create(MONGO.getReplicaSetUrl("chat"));
        template = new ReactiveMongoTemplate(client, "chat");
    }

    @AfterAll
    static void disconnect() {
        if (client != null) {
            client.close();
        }
    }

    @Override
    ReactiveMongoTemplate mongo() {
        return template;
    }
}
