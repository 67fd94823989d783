package dev.streamchat.ai.config;

import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Installs BlockHound once per test JVM in recording mode: blocking calls on non-blocking threads (event loops,
 * Reactor's parallel workers) are collected rather than thrown, so one finding does not hide the others; a test class
 * calls {@link #install()} in its static initialiser and checks {@link #found()} after its tests. BlockHound cannot
 * be installed twice nor removed, and Failsafe runs several IT classes in one JVM: every class that checks uses this
 * one installation.
 */
public final class BlockingCalls {

    private static final List<String> FOUND = new CopyOnWriteArrayList<>();
    private static boolean installed;

    private BlockingCalls() {
    }

    /**
     * Installs BlockHound once per JVM and starts a fresh record: the calling class sees only the blocking calls made
     * while it runs, not those of classes run before it in the same JVM.
     */
    public static synchronized void install() {
        FOUND.clear();
        if (installed) {
            return;
        }
        installed = true;
        BlockHound.Builder blockHound = BlockHound.builder();
        // what BlockHound.install() does: Reactor's, reactor-netty's and Netty's own integrations mark their threads
        ServiceLoader.load(BlockHoundIntegration.class).stream().map(ServiceLoader.Provider::get).sorted()
                .forEach(blockHound::with);
        blockHound
                // an idle pool worker waiting for its next task is not work that blocks
                .allowBlockingCallsInside("java.util.concurrent.ThreadPoolExecutor", "getTask")
                // the MongoDB driver guards its pool's state with locks held for a few instructions (as the gateway's
                // NonBlockingThreads allows): contended once in a while when two loops enqueue at the same moment
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "withLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "checkedWithLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "withInterruptibleLock")
                .allowBlockingCallsInside("com.mongodb.internal.Locks", "checkedWithInterruptibleLock")
                .blockingMethodCallback(method -> {
                    String stack = StackWalker.getInstance().walk(frames -> frames.skip(2).limit(25)
                            .map(Object::toString).collect(Collectors.joining("\n    ")));
                    // A worker already parked for its next task when BlockHound was installed (Reactor's parallel
                    // workers started by a class run earlier in this JVM) never entered the allowed method, so the
                    // allowance above cannot cover it: it is idle, not blocking work.
                    if (!stack.contains("ThreadPoolExecutor.getTask")) {
                        FOUND.add(method + " on " + Thread.currentThread().getName() + "\n    " + stack);
                    }
                })
                .install();
    }

    /** Blocking calls on non-blocking threads since the last {@link #install()} (empty is the only good answer). */
    public static List<String> found() {
        return List.copyOf(FOUND);
    }
}
