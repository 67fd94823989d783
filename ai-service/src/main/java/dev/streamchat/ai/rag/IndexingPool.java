package dev.streamchat.ai.rag;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.springframework.beans.factory.DisposableBean;

import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * The threads that extract, chunk and embed uploaded documents, kept apart from {@code boundedElastic} (where a
 * question is embedded and a model call starts), so a burst of uploads never delays an answer. At most
 * {@code threads} documents run and {@code queueSize} wait; {@link #hasRoom()} lets an upload be refused before it is
 * accepted. Each run has a deadline, checked between steps by the work itself ({@link Deadline}), and a Reactor
 * timeout that interrupts it.
 */
class IndexingPool implements DisposableBean {

    /** Thrown into a run when there is no slot left for it. */
    static final class BusyException extends RuntimeException {
        BusyException() {
            super("the indexing queue is full", null, false, false);
        }
    }

    /** The point in time a run must finish by; {@link #check()} ends it cooperatively once passed. */
    record Deadline(long nanos, Duration budget) {
        static Deadline in(Duration budget) {
            return new Deadline(System.nanoTime() + budget.toNanos(), budget);
        }

        /** Stops the run when the deadline passed or the thread was interrupted (the timeout fired). */
        void check() {
            if (System.nanoTime() - nanos > 0 || Thread.currentThread().isInterrupted()) {
                throw new DocumentIndexer.IndexingException(
                        "indexing took longer than " + budget.toSeconds() + " s and was stopped");
            }
        }
    }

    private final Semaphore slots;
    private final ExecutorService executor;
    private final Scheduler scheduler;
    private final Duration timeout;

    IndexingPool(IndexingProperties props) {
        this.slots = new Semaphore(props.threads() + props.queueSize());
        this.timeout = props.timeout();
        AtomicInteger count = new AtomicInteger();
        // The semaphore bounds the queue; the executor's own queue never holds more than the slots allow.
        this.executor = new ThreadPoolExecutor(props.threads(), props.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), runnable -> {
                    Thread thread = new Thread(runnable, "indexing-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    // Below the request threads: a loaded node answers questions first.
                    thread.setPriority(Thread.NORM_PRIORITY - 1);
                    return thread;
                });
        this.scheduler = Schedulers.fromExecutorService(executor, "indexing");
    }

    /** True while a new document could start or wait for a thread now. */
    boolean hasRoom() {
        return slots.availablePermits() > 0;
    }

    /**
     * Runs {@code work} on the pool with the deadline it is given; errors with {@link BusyException} when every slot
     * is taken, and with an {@link DocumentIndexer.IndexingException} when the timeout passes.
     */
    <T> Mono<T> run(java.util.function.Function<Deadline, T> work) {
        return Mono.defer(() -> {
            if (!slots.tryAcquire()) {
                return Mono.error(new BusyException());
            }
            Deadline deadline = Deadline.in(timeout);
            Callable<T> task = () -> work.apply(deadline);
            return Mono.fromCallable(task)
                    .subscribeOn(scheduler)
                    .timeout(timeout.plusSeconds(1))
                    .onErrorMap(TimeoutException.class, e -> new DocumentIndexer.IndexingException(
                            "indexing took longer than " + timeout.toSeconds() + " s and was stopped"))
                    .doFinally(signal -> slots.release());
        });
    }

    @Override
    public void destroy() {
        scheduler.dispose();
        executor.shutdownNow();
    }
}
