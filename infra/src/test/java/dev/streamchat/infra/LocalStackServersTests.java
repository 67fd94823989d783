package dev.streamchat.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;

class LocalStackServersTests {

    @Test
    void embeddedRedisAnswersTheRealRedisProtocol() {
        try (EmbeddedRedis redis = EmbeddedRedis.start(0)) {
            RedisClient client = RedisClient.create(redis.url());
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                assertThat(connection.sync().incrby("counter", 5)).isEqualTo(5);
                assertThat(connection.sync().get("counter")).isEqualTo("5");
            } finally {
                client.shutdown();
            }
        }
    }

    @Test
    void embeddedMongoKeepsDataAcrossRestartsOnDisk(@TempDir Path dir) {
        Path file = dir.resolve("mongo").resolve("chat.mv");
        int port = EmbeddedRedis.FreePorts.pick();
        try (EmbeddedMongo mongo = EmbeddedMongo.onDisk(port, file);
             MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            client.getDatabase("chat").getCollection("users").insertOne(new Document("_id", "alice").append("plan", "free"));
        }
        try (EmbeddedMongo mongo = EmbeddedMongo.onDisk(port, file);
             MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            Document alice = client.getDatabase("chat").getCollection("users").find(new Document("_id", "alice")).first();
            assertThat(alice).isNotNull();
            assertThat(alice.getString("plan")).isEqualTo("free");
        }
    }

    @Test
    void embeddedMongoAnswersTheHelloHandshakeThatHealthChecksSend() {
        try (EmbeddedMongo mongo = EmbeddedMongo.inMemory();
             MongoClient client = MongoClients.create(mongo.uri("chat"))) {
            Document hello = client.getDatabase("admin").runCommand(new Document("hello", 1));
            assertThat(hello.get("ok", Number.class).doubleValue()).isEqualTo(1.0);
            assertThat(hello.getInteger("maxWireVersion")).isPositive();
        }
    }
}
