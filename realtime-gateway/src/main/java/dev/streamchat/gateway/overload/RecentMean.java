package dev.streamchat.gateway.overload;

/**
 * The recent mean of a cumulative timer (count and total time only grow): each {@link #update} takes the mean of
 * what happened since the previous one and blends it into a smoothed value; an interval with no events lets the
 * value decay, so a past slow period stops counting once saves are fast again or stop.
 */
final class RecentMean {

    private static final double ALPHA = 0.3;

    private long lastCount;
    private double lastTotalMillis;
    private volatile double smoothedMillis;

    void update(long count, double totalMillis) {
        long events = count - lastCount;
        double spent = totalMillis - lastTotalMillis;
        lastCount = count;
        lastTotalMillis = totalMillis;
        double sample = events > 0 ? spent / events : 0;
        smoothedMillis = smoothedMillis + ALPHA * (sample - smoothedMillis);
    }

    double millis() {
        return smoothedMillis;
    }
}
