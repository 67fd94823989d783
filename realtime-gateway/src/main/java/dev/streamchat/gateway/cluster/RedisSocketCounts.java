package dev.streamchat.gateway.cluster;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.persistence.RedisConfiguration.GatewayRedis;
import dev.streamchat.gateway.persistence.StoreTimeouts;
import dev.streamchat.gateway.socket.SocketCounts;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Each user's sockets on every node, in Redis: the hash {@code chat:sockets:{userId}} holds one field per node (its
 * id) with that node's count. A node proves it is alive with {@code chat:node:<id>:alive} ({@value #ALIVE_TTL_MS} ms,
 * renewed every {@value #HEARTBEAT_MS} ms); a field whose node is not alive is dropped by the next count, so a
 * killed node's sockets stop counting within {@value #ALIVE_TTL_MS} ms (no leak). The hash lives
 * {@value #COUNTS_TTL_MS} ms after its last change; every node writes its own counts again every
 * {@value #RESYNC_MS} ms and after a Redis reconnect (Redis restarted empty), so long-lived sockets stay counted.
 * Counting and the check are one script. Never blocks.
 */
@Component
class RedisSocketCounts implements SocketCounts, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(RedisSocketCounts.class);
    static final long ALIVE_TTL_MS = 15_000;
    static final long HEARTBEAT_MS = 5_000;
    static final long COUNTS_TTL_MS = Duration.ofHours(1).toMillis();
    static final long RESYNC_MS = Duration.ofMinutes(10).toMillis();
    private static final String ALIVE_PREFIX = "chat:node:";
    private static final String ALIVE_SUFFIX = ":alive";

    /** KEYS: the user's hash; ARGV: node, max, alive prefix, alive suffix, ttl. 1 counted, 0 over the cap. */
    static final String ADD = """
            local total = 0
            local all = redis.call('HGETALL', KEYS[1])
            for i = 1, #all, 2 do
              local node = all[i]
              if node == ARGV[1] or redis.call('EXISTS', ARGV[3] .. node .. ARGV[4]) == 1 then
                total = total + tonumber(all[i + 1])
              else
                redis.call('HDEL', KEYS[1], node)
              end
            end
            if total >= tonumber(ARGV[2]) then return 0 end
            redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[5])
            return 1
            """;

    /** KEYS: the user's hash; ARGV: node, ttl. */
    static final String REMOVE = """
            if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
            if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
            if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 1
            """;

    private final GatewayRedis redis;
    private final NodeIdentity node;
    /**
     * A plain daemon thread, not one of Reactor's non-blocking ones: whichever task first touches the shared Redis
     * connection opens it, and Lettuce takes a lock while doing so.
     */
    private final Scheduler scheduler = Schedulers.fromExecutorService(
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task -> {
                Thread thread = new Thread(task, "socket-counts");
                thread.setDaemon(true);
                return thread;
            }), "socket-counts");
    /** This node's counted sockets per user (what it writes again on a resync). Guarded by itself. */
    private final Map<String, Integer> local = new HashMap<>();
    private volatile Disposable heartbeat;
    private volatile Disposable resync;

    RedisSocketCounts(GatewayRedis redis, NodeIdentity node, UserChannels channels) {
        this.redis = redis;
        this.node = node;
        channels.onResubscribed(() -> beat().then(writeAll()).subscribe(null, e -> { }));
    }

    static String key(String userId) {
        return "chat:sockets:{" + userId + "}";
    }

    static String aliveKey(String nodeId) {
        return ALIVE_PREFIX + nodeId + ALIVE_SUFFIX;
    }

    @Override
    public Mono<Boolean> add(String userId, int max) {
        return redis.commands()
                .flatMap(r -> r.<Long>eval(ADD, ScriptOutputType.INTEGER, new String[] {key(userId)}, node.id(),
                        Integer.toString(max), ALIVE_PREFIX, ALIVE_SUFFIX, Long.toString(COUNTS_TTL_MS)).next())
                .timeout(StoreTimeouts.CALL)
                .map(result -> result == 1L)
                .doOnNext(counted -> {
                    if (counted) {
                        synchronized (local) {
                            local.merge(userId, 1, Integer::sum);
                        }
                    }
                });
    }

    @Override
    public void remove(String userId) {
        synchronized (local) {
            local.computeIfPresent(userId, (k, n) -> n <= 1 ? null : n - 1);
        }
        redis.commands()
                .flatMap(r -> r.<Long>eval(REMOVE, ScriptOutputType.INTEGER, new String[] {key(userId)}, node.id(),
                        Long.toString(COUNTS_TTL_MS)).next())
                .timeout(StoreTimeouts.CALL)
                .subscribe(null, error -> log.debug("socket uncount failed userId={} error={}", userId, error.toString()));
    }

    private Mono<Void> beat() {
        return redis.commands()
                .flatMap(r -> r.set(aliveKey(node.id()), "1", SetArgs.Builder.px(ALIVE_TTL_MS)))
                .timeout(StoreTimeouts.CALL)
                .then();
    }

    /** Writes this node's count of every user it holds sockets of (field = this node), renewing their TTL. */
    private Mono<Void> writeAll() {
        Map<String, Integer> snapshot;
        synchronized (local) {
            snapshot = new HashMap<>(local);
        }
        return redis.commands().flatMapMany(r -> Flux.fromIterable(snapshot.entrySet())
                        .flatMap(entry -> r.hset(key(entry.getKey()), node.id(), Integer.toString(entry.getValue()))
                                .then(r.pexpire(key(entry.getKey()), COUNTS_TTL_MS)), 16))
                .timeout(Duration.ofSeconds(30))
                .then();
    }

    @Override
    public void start() {
        heartbeat = scheduler.schedulePeriodically(() -> beat().subscribe(null,
                error -> log.debug("node heartbeat failed error={}", error.toString())), 0, HEARTBEAT_MS, TimeUnit.MILLISECONDS);
        resync = scheduler.schedulePeriodically(() -> writeAll().subscribe(null,
                error -> log.debug("socket count resync failed error={}", error.toString())), RESYNC_MS, RESYNC_MS,
                TimeUnit.MILLISECONDS);
    }

    @Override
    public void stop() {
        for (Disposable task : new Disposable[] {heartbeat, resync}) {
            if (task != null) {
                task.dispose();
            }
        }
        heartbeat = null;
        resync = null;
        // A node that stops on purpose stops counting at once (its sockets are closing).
        redis.commands().flatMap(r -> r.del(aliveKey(node.id()))).timeout(StoreTimeouts.CALL)
                .subscribe(null, e -> { });
    }

    @Override
    public boolean isRunning() {
        return heartbeat != null;
    }
}
