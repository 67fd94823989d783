package dev.streamchat.gateway.config;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * BlockHound for the gateway's full-stack tests: records every blocking call made on a non-blocking thread
 * (reactor-netty, Netty event loops, Lettuce, Reactor schedulers) instead of throwing, so a test can assert that
 * none happened while it ran. Installed once per JVM; BlockHound cannot be uninstalled.
 */
public final class NonBlockingThreads {

    private static final List<String> CALLS = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private NonBlockingThreads() {
    }

    /**
     * Installs BlockHound once per JVM and starts a fresh record: a test class that calls this in its static
     * initialiser sees only the blocking calls made while it runs, not those of classes run before it.
     */
    public static synchronized void install() {
        CALLS.clear();
        if (installed) {
            return;
        }
        BlockHound.Builder builder = BlockHound.builder();
        // what BlockHound.install() does: Reactor's, reactor-netty's and Netty's integrations mark their threads
        ServiceLoader.load(BlockHoundIntegration.class).stream().map(ServiceLoader.Provider::get).sorted()
                .forEach(builder::with);
        builder
                // reading /dev/urandom for random ids never waits on Linux
                .allowBlockingCallsInside("java.util.UUID", "randomUUID")
                .allowBlockingCallsInside("java.security.SecureRandom", "nextBytes")
                // first use only: class loading and Jackson's per-type serializer caches
                .allowBlockingCallsInside("java.lang.ClassLoader", "loadClass")
                .allowBlockingCallsInside("java.util.ServiceLoader$LazyClassPathLookupIterator", "hasNext")
                .allowBlockingCallsInside("com.fasterxml.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer")
                .allowBlockingCallsInside("tools.jackson.databind.deser.DeserializerCache", "_createAndCacheValueDeserializer")
                // an idle pool worker waiting for its next task is not work that blocks
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask")
                // the drivers and Netty guard shared state with locks held for a few instructions
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "withLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "checkedWithLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "withInterruptibleLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "checkedWithInterruptibleLock")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters")
                .allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "lockWritersExclusive")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "allocate")
                .allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free")
                .allowBlockingCallsInside("com.fasterxml.jackson.databind.ser.SerializerCache", "addAndResolveNonTypedSerializer")
                .blockingMethodCallback(method -> {
                    String stack = StackWalker.getInstance().walk(frames -> frames.skip(2).limit(25)
                            .map(Object::toString).collect(Collectors.joining("\n    ")));
                    // A pool worker already parked for its next task when BlockHound was installed never entered
                    // the allowed method, so the allowance above cannot cover it: it is idle, not blocking work.
                    if (!stack.contains("ThreadPoolExecutor.getTask")) {
                        CALLS.add(method + " on " + Thread.currentThread().getName() + "\n    " + stack);
                    }
                })
                .install();
        installed = true;
    }

    /** Blocking calls seen on non-blocking threads since the last {@link #install()} (empty is the only good answer). */
    public static List<String> calls() {
        return List.copyOf(CALLS);
    }
}
