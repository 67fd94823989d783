package dev.streamchat.gateway.overload;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;

/** The smoothing of the measured signals, fed with exact numbers or a movable clock (no sleeping). */
class PressureSignalsTests {

    private static final long MS = 1_000_000L;

    @Test
    void oneLongPauseDoesNotLookLikeOverloadButSustainedLatenessDoes() {
        SchedulingLag lag = new SchedulingLag();
        lag.record(0, 0);
        lag.record(0, 200 * MS); // one 200 ms GC pause
        assertThat(lag.millis()).isEqualTo(40.0);
        for (int i = 0; i < 20; i++) {
            lag.record(0, 0); // on time again
        }
        assertThat(lag.millis()).isLessThan(1.0);
        for (int i = 0; i < 20; i++) {
            lag.record(0, 300 * MS); // starved: every wake-up 300 ms late
        }
        assertThat(lag.millis()).isGreaterThan(250.0).isLessThanOrEqualTo(300.0);
    }

    @Test
    void aWakeUpThatCameEarlyCountsAsOnTime() {
        SchedulingLag lag = new SchedulingLag();
        lag.record(100 * MS, 90 * MS);
        assertThat(lag.millis()).isZero();
    }

    @Test
    void aLoopThatFallsBehindShowsHowLongWorkWaitsAndStopsShowingItOnceItCaughtUp() throws Exception {
        DefaultEventLoop busy = new DefaultEventLoop();
        DefaultEventLoop idle = new DefaultEventLoop();
        AtomicLong clock = new AtomicLong(1);
        LoopLag lag = new LoopLag(List.of(idle, busy), clock::get);
        CountDownLatch release = new CountDownLatch(1);
        try {
            probeAndLetTheLoopsRun(lag, idle, busy);
            assertThat(lag.millis()).isZero();

            busy.execute(() -> awaitQuietly(release)); // a long piece of work holds the loop
            for (int i = 0; i < 20; i++) {
                lag.probe();
                idle.submit(() -> { }).get(5, TimeUnit.SECONDS);
                clock.addAndGet(50 * MS); // the probe's interval passes; the busy loop's task still waits
            }
            assertThat(lag.millis()).as("the busy loop's task has waited up to a second").isGreaterThan(250.0);

            release.countDown();
            for (int i = 0; i < 50; i++) {
                probeAndLetTheLoopsRun(lag, idle, busy); // both loops keep up again
            }
            assertThat(lag.millis()).isLessThan(1.0);
        } finally {
            release.countDown();
            busy.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            idle.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /** A probe, then everything queued on the loops has run (their tasks run in order). */
    private static void probeAndLetTheLoopsRun(LoopLag lag, EventLoop... loops) throws Exception {
        lag.probe();
        for (EventLoop loop : loops) {
            loop.submit(() -> { }).get(5, TimeUnit.SECONDS);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void recentSaveTimeFollowsTheLatestSavesAndDecaysWhenTheyStop() {
        RecentMean saves = new RecentMean();
        saves.update(10, 100); // 10 saves of 10 ms
        assertThat(saves.millis()).isEqualTo(3.0, org.assertj.core.data.Offset.offset(1e-9));
        for (int i = 1; i <= 30; i++) {
            saves.update(10 + i * 5, 100 + i * 5 * 2000.0); // then 5 saves of 2 s per interval
        }
        assertThat(saves.millis()).isGreaterThan(1900.0);
        for (int i = 0; i < 30; i++) {
            saves.update(160, 100 + 150 * 2000.0); // no saves any more
        }
        assertThat(saves.millis()).isLessThan(1.0);
    }
}
