package dev.streamchat.gateway.persistence;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.metrics.MicrometerCommandLatencyRecorder;
import io.lettuce.core.metrics.MicrometerOptions;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.data.redis.autoconfigure.ClientResourcesBuilderCustomizer;

import dev.streamchat.gateway.config.EventLoopSizing;
import dev.streamchat.gateway.config.GatewayLoops;

import reactor.core.publisher.Mono;

/**
 * The gateway's own Lettuce client for quota, rate limits, stream state and resume buffers (Lua scripts,
 * streams). Commands time out after 1 s and are rejected while disconnected, so Redis down is a fast 503.
 * Connections are made lazily: the gateway starts even while Redis is down.
 */
@Configuration(proxyBeanMethods = false)
public class RedisConfiguration {

    /**
     * Lettuce runs on the gateway's event loops ({@link GatewayLoopsForRedis}); Boot's client (health) and the
     * gateway's client share them. Its computation pool (timeouts, reconnects) stays its own, sized from the cores. Each
     * command's latency goes to the timers {@code lettuce.command.completion} and {@code lettuce.command.firstresponse}
     * (by command; no client-side percentiles): two map lookups and two timer updates per command. Boot's Micrometer
     * observation of every command ({@code lettuce} timers) is excluded in application.yml: it built an observation
     * context, sorted key values and started a long-task timer per command, ~7 % of the gateway's CPU samples under
     * load, and the resume log sends a command per running stream every flush interval.
     */
    @Bean
    ClientResourcesBuilderCustomizer gatewayRedisThreads(MeterRegistry meters, GatewayLoops gatewayLoops) {
        return builder -> builder.eventLoopGroupProvider(new GatewayLoopsForRedis(gatewayLoops))
                .computationThreadPoolSize(EventLoopSizing.redisThreads())
                .commandLatencyRecorder(new MicrometerCommandLatencyRecorder(meters,
                        MicrometerOptions.builder().histogram(false).build()));
    }

    /**
     * Uses Boot's {@link ClientResources} rather than a second set of Lettuce threads. Takes the loops so that it is
     * shut down (its connections closed) before they are.
     */
    @Bean(destroyMethod = "shutdown")
    RedisClient gatewayRedisClient(ClientResources resources, GatewayLoops gatewayLoops) {
        RedisClient client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(1)).build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(1)))
                .build());
        return client;
    }

    @Bean(destroyMethod = "close")
    GatewayRedis gatewayRedis(RedisClient gatewayRedisClient,
                              @Value("${spring.data.redis.url:redis://127.0.0.1:6379}") String url) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofSeconds(1));
        return new GatewayRedis(gatewayRedisClient, uri);
    }

    /** Opens the shared connection once the application is up, so the first request does not pay for it. */
    @EventListener(ApplicationReadyEvent.class)
    void connectEarly(ApplicationReadyEvent event) {
        event.getApplicationContext().getBean(GatewayRedis.class).commands()
                .flatMap(r -> r.ping())
                .subscribe(pong -> { }, error -> { });
    }

    /**
     * Lazily and asynchronously opened, shared Lettuce connections (string and byte[] values). Thread-safe;
     * a failed connect is forgotten so the next call tries again (Redis may come back).
     */
    public static final class GatewayRedis implements AutoCloseable {

        /** Where connections are opened: one daemon thread, so a caller on an event loop never waits on a lock. */
        private static final java.util.concurrent.Executor CONNECTING = java.util.concurrent.Executors.newSingleThreadExecutor(
                runnable -> {
                    Thread thread = new Thread(runnable, "redis-connect");
                    thread.setDaemon(true);
                    return thread;
                });

        private final RedisClient client;
        private final RedisURI uri;
        private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> strings =
                new AtomicReference<>();
        private final AtomicReference<CompletableFuture<StatefulRedisConnection<String, String>>> pipelined =
                new AtomicReference<>();

        public GatewayRedis(RedisClient client, RedisURI uri) {
            this.client = client;
            this.uri = uri;
        }

        /** Reactive commands on the shared string connection; errors fast when Redis cannot be reached. */
        public Mono<RedisReactiveCommands<String, String>> commands() {
            return connection(strings, StringCodec.UTF8).map(StatefulRedisConnection::reactive);
        }

        /**
         * A new publish/subscribe connection the caller owns (and closes). Lettuce reconnects it and re-subscribes
         * the channels Redis had confirmed; the caller re-issues the others (see its state listener).
         */
        public CompletableFuture<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
            return CompletableFuture.supplyAsync(() -> client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture(),
                    CONNECTING).thenCompose(connecting -> connecting);
        }

        /**
         * A connection of its own with command auto-flush off, for a single writer thread that queues a batch of
         * commands and sends them with one {@code flushCommands()} (Lettuce pipelining). Null until connected; the
         * first call starts connecting. Never share it: its flush state belongs to that one thread.
         */
        public StatefulRedisConnection<String, String> pipelinedIfConnected() {
            CompletableFuture<StatefulRedisConnection<String, String>> future = future(pipelined, StringCodec.UTF8,
                    connection -> connection.setAutoFlushCommands(false));
            return future.isDone() && !future.isCompletedExceptionally() ? future.join() : null;
        }

        private <V> Mono<StatefulRedisConnection<String, V>> connection(
                AtomicReference<CompletableFuture<StatefulRedisConnection<String, V>>> holder, RedisCodec<String, V> codec) {
            return Mono.defer(() -> Mono.fromFuture(future(holder, codec, connection -> { }), true));
        }

        private <V> CompletableFuture<StatefulRedisConnection<String, V>> future(
                AtomicReference<CompletableFuture<StatefulRedisConnection<String, V>>> holder, RedisCodec<String, V> codec,
                java.util.function.Consumer<StatefulRedisConnection<String, V>> prepare) {
            CompletableFuture<StatefulRedisConnection<String, V>> future = holder.get();
            if (future == null || future.isCompletedExceptionally()) {
                // Opening a connection takes Lettuce's locks: never on the caller's thread, which is often a
                // non-blocking one (a flush tick, an event loop).
                CompletableFuture<StatefulRedisConnection<String, V>> fresh = CompletableFuture
                        .supplyAsync(() -> client.connectAsync(codec, uri).toCompletableFuture(), CONNECTING)
                        .thenCompose(connecting -> connecting)
                        .thenApply(connection -> {
                            prepare.accept(connection);
                            return connection;
                        });
                if (holder.compareAndSet(future, fresh)) {
                    future = fresh;
                } else {
                    fresh.thenAccept(StatefulRedisConnection::closeAsync);
                    future = holder.get();
                }
            }
            return future;
        }

        @Override
        public void close() {
            closeQuietly(strings.get());
            closeQuietly(pipelined.get());
        }

        private static void closeQuietly(CompletableFuture<? extends StatefulRedisConnection<?, ?>> future) {
            if (future != null && future.isDone() && !future.isCompletedExceptionally()) {
                future.join().close();
            }
        }
    }
}
