package dev.streamchat.ai.stream;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;

import dev.langchain4j.model.chat.response.StreamingHandle;

/**
 * Cancels one model call from any thread, at any point: before the call starts, while its HTTP request waits for
 * response headers, before the first token (when LangChain4j has not yet handed out its {@link StreamingHandle}),
 * or mid-stream. Cancellation is best-effort and idempotent.
 * <p>
 * While {@link TokenStreamBridge} calls {@code StreamingChatModel.chat(...)}, the call's cancellation is bound to the
 * calling thread ({@link #current()}), so transports such as {@code model.CancellableHttpClient} can register
 * hooks that abort the in-flight request.
 */
public final class CallCancellation {

    private static final ThreadLocal<CallCancellation> CURRENT = new ThreadLocal<>();

    private final Queue<Runnable> hooks = new ConcurrentLinkedQueue<>();
    private final AtomicReference<StreamingHandle> handle = new AtomicReference<>();
    private volatile boolean cancelled;

    /** The cancellation bound to this thread by {@link #bind()}, or null. */
    public static CallCancellation current() {
        return CURRENT.get();
    }

    /** Binds this cancellation to the calling thread until the returned scope is closed. */
    public Scope bind() {
        CallCancellation previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Cancels the call: runs the hooks registered so far and cancels the streaming handle if there is one. */
    public void cancel() {
        cancelled = true;
        runHooks();
        StreamingHandle current = handle.get();
        if (current != null && !current.isCancelled()) {
            current.cancel();
        }
    }

    /** Remembers the model's handle; cancels it at once when the call was cancelled before it arrived. */
    public void attach(StreamingHandle streamingHandle) {
        if (streamingHandle == null || !handle.compareAndSet(null, streamingHandle)) {
            return;
        }
        // cancel() may have run between the compareAndSet and here: check after publishing the handle.
        if (cancelled && !streamingHandle.isCancelled()) {
            streamingHandle.cancel();
        }
    }

    /** Runs {@code hook} on cancel, or right away when the call is already cancelled. Hooks must not block. */
    public void onCancel(Runnable hook) {
        hooks.add(hook);
        if (cancelled) {
            runHooks();
        }
    }

    private void runHooks() {
        Runnable hook;
        while ((hook = hooks.poll()) != null) {
            try {
                hook.run();
            } catch (RuntimeException ignored) {
                // Cancellation is best-effort: a failing hook must not stop the others.
            }
        }
    }

    /** Closing the scope unbinds the cancellation from the thread. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
