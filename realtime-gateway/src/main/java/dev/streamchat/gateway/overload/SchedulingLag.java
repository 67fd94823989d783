package dev.streamchat.gateway.overload;

/**
 * How late a periodic wake-up runs, smoothed: an exponentially weighted mean of each wake-up's lateness with a
 * time constant of about {@value #SMOOTHING_SAMPLES} samples, so one GC pause does not shed but sustained CPU
 * starvation does within a few hundred milliseconds. Not thread-safe for writers (one probe thread records);
 * readers see the last published value.
 */
final class SchedulingLag {

    static final int SMOOTHING_SAMPLES = 5;
    private static final double ALPHA = 1.0 / SMOOTHING_SAMPLES;

    private volatile double smoothedMillis;

    /** One wake-up that was due at {@code dueNanos} and ran at {@code ranNanos} (same monotonic clock). */
    void record(long dueNanos, long ranNanos) {
        double lateMillis = Math.max(0, ranNanos - dueNanos) / 1_000_000d;
        smoothedMillis = smoothedMillis + ALPHA * (lateMillis - smoothedMillis);
    }

    double millis() {
        return smoothedMillis;
    }
}
