package dev.streamchat.infra;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack that {@code ./run.sh} starts: an embedded Redis on {@code LOCAL_REDIS_PORT} (6379) unless
 * {@code REDIS_URL} is set, and an embedded MongoDB-wire server on {@code LOCAL_MONGO_PORT} (27017), with its data in
 * {@code DATA_DIR/mongo} (default {@code data/}), unless {@code MONGODB_URI} is set. Prints one line
 * {@code LOCAL STACK READY ...} when both are listening and runs until it is stopped.
 */
public final class LocalStack {

    private static final Logger log = LoggerFactory.getLogger(LocalStack.class);

    private LocalStack() {
    }

    public static void main(String[] args) throws InterruptedException {
        List<AutoCloseable> started = new ArrayList<>();
        String redis;
        String mongo;
        try {
            redis = startRedis(started);
            mongo = startMongo(started);
        } catch (RuntimeException e) {
            System.err.println("local stack failed: " + rootMessage(e));
            closeAll(started);
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(started), "local-stack-shutdown"));
        System.out.println("LOCAL STACK READY redis=" + redis + " mongo=" + mongo);
        new CountDownLatch(1).await();
    }

    private static String startRedis(List<AutoCloseable> started) {
        if (isSet("REDIS_URL")) {
            log.info("REDIS_URL is set: embedded Redis not started");
            return "external";
        }
        int port = intEnv("LOCAL_REDIS_PORT", 6379);
        EmbeddedRedis redis = EmbeddedRedis.start(port);
        started.add(redis);
        log.info("embedded Redis listening on 127.0.0.1:{}", redis.port());
        return redis.url();
    }

    private static String startMongo(List<AutoCloseable> started) {
        if (isSet("MONGODB_URI")) {
            log.info("MONGODB_URI is set: embedded MongoDB-wire server not started");
            return "external";
        }
        int port = intEnv("LOCAL_MONGO_PORT", 27017);
        Path dataDir = Path.of(envOr("DATA_DIR", "data"));
        EmbeddedMongo mongo = EmbeddedMongo.onDisk(port, dataDir.resolve("mongo").resolve("chat.mv"));
        started.add(mongo);
        log.info("embedded MongoDB-wire server listening on 127.0.0.1:{} (data in {})", mongo.port(), dataDir.resolve("mongo"));
        return mongo.uri("chat");
    }

    private static void closeAll(List<AutoCloseable> started) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                log.warn("stopping {} failed: {}", started.get(i).getClass().getSimpleName(), e.toString());
            }
        }
        started.clear();
    }

    private static boolean isSet(String name) {
        String value = System.getenv(name);
        return value != null && !value.isBlank();
    }

    private static String envOr(String name, String fallback) {
        return isSet(name) ? System.getenv(name) : fallback;
    }

    private static int intEnv(String name, int fallback) {
        return isSet(name) ? Integer.parseInt(System.getenv(name).trim()) : fallback;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return e.getMessage() + (root != e ? " (" + root + ")" : "");
    }
}
