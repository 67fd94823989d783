package dev.streamchat.gateway.overload;

import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

import io.netty.channel.EventLoop;

/**
 * How long work waits on the busiest of the gateway's event loops before it runs: every probe hands each loop a tiny
 * task and measures, at the next probe, how long it waited in the loop's queue (or, while it still waits, how long
 * it has waited so far). A loop that falls behind its tokens and requests shows here even while the machine still
 * schedules the probe's own thread on time; {@link SchedulingLag} smooths the worst loop's wait.
 * <p>
 * One writer (the probe thread) calls {@link #probe()}; each loop writes only its own slot.
 */
final class LoopLag {

    private static final long NONE = 0;

    private final List<EventLoop> loops;
    private final LongSupplier nanoClock;
    /** Per loop: when its pending task was handed over, or {@link #NONE} when it has run. */
    private final AtomicLongArray pendingSince;
    /** Per loop: how long its last task waited. */
    private final AtomicLongArray lastWait;
    private final SchedulingLag smoothed = new SchedulingLag();

    LoopLag(List<EventLoop> loops, LongSupplier nanoClock) {
        this.loops = List.copyOf(loops);
        this.nanoClock = nanoClock;
        this.pendingSince = new AtomicLongArray(loops.size());
        this.lastWait = new AtomicLongArray(loops.size());
    }

    /** Records the worst loop's wait and hands every idle loop a new task. */
    void probe() {
        long now = nanoClock.getAsLong();
        long worst = 0;
        for (int i = 0; i < loops.size(); i++) {
            long since = pendingSince.get(i);
            if (since != NONE) {
                worst = Math.max(worst, now - since); // still queued: at least this late
                continue;
            }
            worst = Math.max(worst, lastWait.get(i));
            handOver(i, now);
        }
        smoothed.record(0, worst);
    }

    private void handOver(int index, long now) {
        pendingSince.set(index, now);
        try {
            loops.get(index).execute(() -> {
                lastWait.set(index, nanoClock.getAsLong() - pendingSince.get(index));
                pendingSince.set(index, NONE);
            });
        } catch (RejectedExecutionException shuttingDown) {
            pendingSince.set(index, NONE);
        }
    }

    /** The smoothed wait of the busiest loop. */
    double millis() {
        return smoothed.millis();
    }
}
