package dev.streamchat.gateway.cluster;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * This node's one Redis subscription for fan-out: a single pub/sub connection subscribed to the channel
 * {@code chat:fanout:<userId>} of every user with at least one socket on this node (subscribed on the first
 * socket, unsubscribed after the last), never one connection per socket. Frames published by other nodes are
 * handed to the listener registered for their kind ({@code "k"}); this node's own frames are skipped.
 * <p>
 * Redis outages: the connection reconnects by itself; on every (re)connect every wanted channel is subscribed
 * again (a SUBSCRIBE refused while disconnected is not remembered by the client) and the reconnect hooks run,
 * so that listeners can heal what was published while the subscription was down. Thread-safe.
 */
@Component
public class UserChannels implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(UserChannels.class);
    static final String PREFIX = "chat:fanout:";
    private static final Duration READY_WAIT = Duration.ofSeconds(1);

    private final GatewayRedis redis;
    private final NodeIdentity node;
    private final JsonMapper json;
    private final Map<String, FrameListener> listeners = new ConcurrentHashMap<>();
    private final List<Runnable> reconnectHooks = new CopyOnWriteArrayList<>();
    private final Scheduler scheduler = Schedulers.newSingle("fanout-channels", true);
    private final Counter received;
    /** How this node's own frames begin (every publisher writes the origin {@code "o"} first). */
    private final String ownFramePrefix;

    // Guarded by this.
    private final Map<String, Integer> socketsByUser = new java.util.HashMap<>();
    private final Map<String, CompletableFuture<Void>> subscribed = new java.util.HashMap<>();
    private StatefulRedisPubSubConnection<String, String> connection;
    private boolean connecting;
    private boolean running;
    private Disposable retry;

    public UserChannels(GatewayRedis redis, NodeIdentity node, JsonMapper json, MeterRegistry meters) {
        this.redis = redis;
        this.node = node;
        this.json = json;
        this.ownFramePrefix = "{\"o\":" + json.writeValueAsString(node.id()) + ",";
        this.received = Counter.builder("gateway.fanout.frames.received")
                .description("Fan-out frames received from other nodes").register(meters);
    }

    public static String channel(String userId) {
        return PREFIX + userId;
    }

    /**
     * Publishes a frame of {@code kind} on {@code userId}'s channel: this node's id first ({@code "o"}, how every node
     * drops its own echoes), then the kind ({@code "k"}), then {@code body}'s members. The number of nodes that got it.
     */
    Mono<Long> publish(String userId, String kind, Map<String, Object> body) {
        Map<String, Object> frame = new java.util.LinkedHashMap<>();
        frame.put("o", node.id());
        frame.put("k", kind);
        frame.putAll(body);
        String message = json.writeValueAsString(frame);
        return redis.commands().flatMap(r -> r.publish(channel(userId), message)).timeout(StoreTimeouts.CALL);
    }

    /** Routes frames of {@code kind} to {@code listener} (one listener per kind). */
    public void onFrame(String kind, FrameListener listener) {
        listeners.put(kind, listener);
    }

    /** Runs after the subscription came back from a Redis outage (frames may have been missed meanwhile). */
    public void onResubscribed(Runnable hook) {
        reconnectHooks.add(hook);
    }

    /** A socket of {@code userId} joined on this node. */
    public synchronized void join(String userId) {
        int sockets = socketsByUser.merge(userId, 1, Integer::sum);
        if (sockets == 1) {
            subscribed.put(userId, new CompletableFuture<>());
            subscribe(userId);
        }
    }

    /** A socket of {@code userId} left this node. */
    public synchronized void leave(String userId) {
        Integer sockets = socketsByUser.computeIfPresent(userId, (k, n) -> n <= 1 ? null : n - 1);
        if (sockets == null && subscribed.remove(userId) != null && connection != null) {
            connection.async().unsubscribe(channel(userId));
        }
    }

    /**
     * Completes once Redis confirmed this node's subscription to the user's channel, so that a log read after it
     * misses nothing published later; gives up waiting after a second (Redis down: the read then cannot run either).
     */
    public Mono<Void> ready(String userId) {
        CompletableFuture<Void> future;
        synchronized (this) {
            future = subscribed.get(userId);
        }
        if (future == null) {
            return Mono.empty();
        }
        return Mono.fromFuture(future, true).timeout(READY_WAIT).onErrorResume(e -> Mono.empty());
    }

    /** Whether this node currently holds a confirmed subscription for the user (tests, health). */
    public synchronized boolean isSubscribed(String userId) {
        CompletableFuture<Void> future = subscribed.get(userId);
        return future != null && future.isDone() && !future.isCompletedExceptionally();
    }

    // Caller holds the lock.
    private void subscribe(String userId) {
        if (connection == null) {
            return; // subscribed when the connection comes up
        }
        CompletableFuture<Void> future = subscribed.get(userId);
        connection.async().subscribe(channel(userId)).whenComplete((ok, error) -> {
            if (error == null && future != null) {
                future.complete(null);
            }
        });
    }

    private synchronized void subscribeAll() {
        if (connection == null || socketsByUser.isEmpty()) {
            return;
        }
        String[] channels = socketsByUser.keySet().stream().map(UserChannels::channel).toArray(String[]::new);
        List<CompletableFuture<Void>> futures = List.copyOf(subscribed.values());
        connection.async().subscribe(channels).whenComplete((ok, error) -> {
            if (error == null) {
                futures.forEach(f -> f.complete(null));
            }
        });
    }

    private void connect() {
        synchronized (this) {
            if (!running || connection != null || connecting) {
                return;
            }
            connecting = true;
        }
        redis.connectPubSub().whenComplete((conn, error) -> {
            synchronized (this) {
                connecting = false;
                if (error != null || !running) {
                    if (conn != null) {
                        conn.closeAsync();
                    }
                    if (running) {
                        log.debug("fan-out subscription not connected yet: {}", String.valueOf(error));
                        retry = scheduler.schedule(this::connect, 1, TimeUnit.SECONDS);
                    }
                    return;
                }
                connection = conn;
                conn.addListener(new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        dispatch(channel, message);
                    }
                });
                conn.addListener(new RedisConnectionStateListener() {
                    @Override
                    public void onRedisConnected(RedisChannelHandler<?, ?> handler, java.net.SocketAddress address) {
                        // Lettuce runs this on its I/O thread; re-subscribing is only a write.
                        scheduler.schedule(() -> {
                            subscribeAll();
                            reconnectHooks.forEach(UserChannels::runQuietly);
                        });
                    }
                });
                subscribeAll();
            }
        });
    }

    private static void runQuietly(Runnable hook) {
        try {
            hook.run();
        } catch (RuntimeException e) {
            log.warn("fan-out reconnect hook failed: {}", e.toString());
        }
    }

    private void dispatch(String channel, String message) {
        if (!channel.startsWith(PREFIX) || message.startsWith(ownFramePrefix)) {
            return; // this node's own frame comes back on every flush while the user has a socket here: not parsed
        }
        try {
            JsonNode frame = json.readTree(message);
            if (node.id().equals(frame.path("o").asString(""))) {
                return;
            }
            FrameListener listener = listeners.get(frame.path("k").asString(""));
            if (listener != null) {
                received.increment();
                listener.onFrame(channel.substring(PREFIX.length()), frame);
            }
        } catch (RuntimeException e) {
            log.warn("fan-out frame dropped channel={} error={}", channel, e.toString());
        }
    }

    @Override
    public void start() {
        synchronized (this) {
            running = true;
        }
        connect();
    }

    @Override
    public void stop() {
        StatefulRedisPubSubConnection<String, String> current;
        synchronized (this) {
            running = false;
            current = connection;
            connection = null;
            if (retry != null) {
                retry.dispose();
            }
        }
        if (current != null) {
            current.closeAsync();
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }
}
