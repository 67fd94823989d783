package dev.streamchat.gateway.persistence;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

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
}
