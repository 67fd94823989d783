package dev.streamchat.gateway.config;

import java.time.Duration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.infra.EmbeddedRedis;

/**
 * A real (embedded) Redis server and the gateway's client to it, connected before the first test (a cold start on a
 * busy machine can pass a call's 2 s timeout): for tests of one component's Redis scripts without a Spring context.
 */
public final class TestRedis implements AutoCloseable {

    private final EmbeddedRedis server;
    private final RedisClient client;
    private final GatewayRedis redis;

    private TestRedis() {
        server = EmbeddedRedis.start(0);
        client = RedisClient.create();
        redis = new GatewayRedis(client, RedisURI.create(server.url()));
        redis.commands().flatMap(r -> r.ping()).block(Duration.ofSeconds(30));
    }

    public static TestRedis start() {
        return new TestRedis();
    }

    public GatewayRedis gatewayRedis() {
        return redis;
    }

    @Override
    public void close() {
        redis.close();
        client.shutdown();
        server.close();
    }
}
