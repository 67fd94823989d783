package dev.streamchat.gateway.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The gateway's network event loops ({@code GATEWAY_IO_THREADS}).
 *
 * @param ioThreads how many loops {@link GatewayLoops} runs; 0 derives it from the cores
 *                  ({@link EventLoopSizing#gatewayLoops()})
 */
@Validated
@ConfigurationProperties("gateway.loops")
public record LoopProperties(@DefaultValue("0") @Min(0) @Max(1024) int ioThreads) {

    /** The number of loops to run: the configured one, else the one derived from the cores. */
    int threads() {
        return ioThreads > 0 ? ioThreads : EventLoopSizing.gatewayLoops();
    }
}
