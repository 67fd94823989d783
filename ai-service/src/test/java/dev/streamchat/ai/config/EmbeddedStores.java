package dev.streamchat.ai.config;

import dev.streamchat.infra.EmbeddedMongo;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * One embedded Redis and one in-memory MongoDB-wire server per test JVM, on free ports, reached through the real
 * drivers. Started on first use; the Redis child process stops with the JVM.
 */
public final class EmbeddedStores {

    private static EmbeddedRedis redis;
    private static EmbeddedMongo mongo;

    private EmbeddedStores() {
    }

    public static synchronized String redisUrl() {
        if (redis == null) {
            redis = EmbeddedRedis.start(0);
            Runtime.getRuntime().addShutdownHook(new Thread(redis::close, "embedded-redis-stop"));
        }
        return redis.url();
    }

    public static synchronized int redisPort() {
        redisUrl();
        return redis.port();
    }

    public static synchronized String mongoUri() {
        if (mongo == null) {
            mongo = EmbeddedMongo.inMemory();
        }
        return mongo.uri("chat");
    }
}
