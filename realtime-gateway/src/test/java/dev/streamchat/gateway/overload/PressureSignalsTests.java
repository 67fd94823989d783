package dev.streamchat.gateway.overload;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The smoothing of the two measured signals, fed with exact numbers (no clock, no sleeping). */
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
