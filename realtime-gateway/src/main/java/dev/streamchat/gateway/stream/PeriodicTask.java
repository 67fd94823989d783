package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.springframework.context.SmartLifecycle;

import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A background task that runs {@link #tick()} every period on its own scheduler while the application runs: started
 * and stopped with the context. Ticks never overlap (the scheduler has one thread). Public because {@code reply}
 * uses it; it lives here, not lower, because {@code stream} is the lowest package its users all depend on.
 */
public abstract class PeriodicTask implements SmartLifecycle {

    private final Scheduler scheduler;
    private final Duration period;
    private volatile Disposable ticking;
    private final AtomicBoolean passing = new AtomicBoolean();

    /** {@code scheduler} must have one thread; the subclass may use it for one-off work ({@link #scheduler()}). */
    protected PeriodicTask(Scheduler scheduler, Duration period) {
        this.scheduler = scheduler;
        this.period = period;
    }

    /**
     * A single plain daemon thread, not one of Reactor's non-blocking ones: for a task that may be the first to touch
     * the shared Redis connection, which Lettuce opens under a lock (BlockHound rightly refuses that on a
     * non-blocking thread).
     */
    protected static Scheduler plainDaemonThread(String name) {
        return Schedulers.fromExecutorService(Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        }), name);
    }

    /**
     * {@code pass}, unless the previous pass has not ended yet (then nothing): for a task whose pass is asynchronous
     * and may outlast the period, so passes (a tick's or a test's) never overlap.
     */
    protected final Mono<Void> onePassAtATime(Supplier<Mono<Void>> pass) {
        if (!passing.compareAndSet(false, true)) {
            return Mono.empty();
        }
        return pass.get().doFinally(signal -> passing.set(false));
    }

    /** One run, on the scheduler's thread. */
    protected abstract void tick();

    protected final Scheduler scheduler() {
        return scheduler;
    }

    protected final Duration period() {
        return period;
    }

    @Override
    public final void start() {
        long millis = period.toMillis();
        ticking = scheduler.schedulePeriodically(this::tick, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public final void stop() {
        Disposable current = ticking;
        if (current != null) {
            current.dispose();
        }
        ticking = null;
    }

    @Override
    public final boolean isRunning() {
        return ticking != null;
    }
}
