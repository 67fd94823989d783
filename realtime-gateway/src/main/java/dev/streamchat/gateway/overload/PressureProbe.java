package dev.streamchat.gateway.overload;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.config.GatewayLoops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Measures this node's pressure continuously on one small daemon thread: every {@code probeInterval} it parks, then
 * records how late it woke ({@link SchedulingLag}: CPU starvation and GC pauses both make it late), how long work
 * waits on the busiest event loop ({@link LoopLag}: a loop behind its tokens and requests, which the probe's own
 * thread does not feel on a machine that still schedules it; the larger of the two is the lag) and the recent
 * mean time of the MongoDB save of finished streams ({@link RecentMean} over the {@value #SAVE_TIMER} timer).
 * The number of streams relayed right now is read live from the {@value #ACTIVE_STREAMS} gauge. Reading a
 * {@link Pressure} is two volatile reads and a gauge read: admission decisions cost nothing measurable.
 */
@Component
class PressureProbe implements SmartLifecycle {

    static final String ACTIVE_STREAMS = "chat.stream.active";
    static final String SAVE_TIMER = "gateway.persistence.save";

    private static final Logger log = LoggerFactory.getLogger(PressureProbe.class);

    private final OverloadProperties properties;
    private final MeterRegistry meters;
    private final SchedulingLag lag = new SchedulingLag();
    private final LoopLag loopLag;
    private final RecentMean saveTime = new RecentMean();
    private final int processors = Runtime.getRuntime().availableProcessors();
    private volatile Thread thread;
    private volatile boolean running;
    // Found once registered: MeterRegistry.find scans every meter, too much for every probe and every request.
    private volatile Gauge activeStreams;
    private volatile Timer saves;

    PressureProbe(OverloadProperties properties, MeterRegistry meters, GatewayLoops loops) {
        this.properties = properties;
        this.meters = meters;
        this.loopLag = new LoopLag(loops.loops(), System::nanoTime);
        Gauge.builder("gateway.overload.loop.lag", loopLag, LoopLag::millis).baseUnit("milliseconds")
                .description("Smoothed wait of a task on the busiest event loop").register(meters);
        Gauge.builder("gateway.overload.scheduling.lag", lag, SchedulingLag::millis).baseUnit("milliseconds")
                .description("Smoothed lateness of the overload probe's periodic wake-up").register(meters);
        Gauge.builder("gateway.overload.save.recent", saveTime, RecentMean::millis).baseUnit("milliseconds")
                .description("Smoothed recent mean time of a finished stream's MongoDB save").register(meters);
    }

    /** What the node is under now. */
    Pressure current() {
        Gauge active = activeStreams;
        if (active == null) {
            active = meters.find(ACTIVE_STREAMS).gauge();
            activeStreams = active;
        }
        double streams = active == null ? 0 : active.value();
        return new Pressure(Math.max(lag.millis(), loopLag.millis()), streams / processors, saveTime.millis());
    }

    private void probe() {
        long interval = properties.probeInterval().toNanos();
        long due = System.nanoTime() + interval;
        while (running) {
            LockSupport.parkNanos(Math.max(0, due - System.nanoTime()));
            long now = System.nanoTime();
            lag.record(due, now);
            loopLag.probe();
            Timer saves = this.saves;
            if (saves == null) {
                saves = meters.find(SAVE_TIMER).timer();
                this.saves = saves;
            }
            if (saves != null) {
                saveTime.update(saves.count(), saves.totalTime(TimeUnit.MILLISECONDS));
            }
            due = now + interval;
        }
    }

    @Override
    public void start() {
        running = true;
        Thread probe = new Thread(this::probe, "overload-probe");
        probe.setDaemon(true);
        probe.setPriority(Thread.NORM_PRIORITY);
        probe.start();
        thread = probe;
        log.info("overload shedding {}: max scheduling lag {} ms, max {} streams per core ({} processors), max save {} ms",
                properties.enabled() ? "on" : "off", properties.maxSchedulingLag().toMillis(), properties.maxStreamsPerCore(),
                processors, properties.maxSaveLatency().toMillis());
    }

    @Override
    public void stop() {
        running = false;
        Thread probe = thread;
        if (probe != null) {
            LockSupport.unpark(probe);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /**
     * The measured pressure: smoothed lag (the probe thread's or the busiest loop's, whichever is larger), streams
     * relayed per processor, recent save time.
     */
    record Pressure(double lagMillis, double streamsPerCore, double saveMillis) {
    }
}
