package dev.streamchat.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EventLoopSizingTests {

    @Test
    void theGatewayRunsOneLoopPerCoreButOneAndAtLeastOne() {
        assertThat(EventLoopSizing.gatewayLoops(1)).isEqualTo(1);
        assertThat(EventLoopSizing.gatewayLoops(2)).isEqualTo(1);
        assertThat(EventLoopSizing.gatewayLoops(16)).isEqualTo(15);
    }

    @Test
    void aConfiguredNumberOfLoopsWinsOverTheCores() {
        assertThat(new LoopProperties(3).threads()).isEqualTo(3);
        assertThat(new LoopProperties(0).threads()).isEqualTo(EventLoopSizing.gatewayLoops());
    }
}
