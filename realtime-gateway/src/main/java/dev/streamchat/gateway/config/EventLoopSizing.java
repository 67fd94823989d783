package dev.streamchat.gateway.config;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Sizes the gateway's event loops from the cores, so a 2-core box does not run loops sized for a bigger one: the
 * one set of network loops ({@link GatewayLoops}: WebFlux server, Socket.IO server, ai-service client) gets one per
 * core but one ({@link #gatewayLoops()}), and Lettuce's I/O runs on those same loops; the MongoDB driver's pool and
 * Lettuce's computation pool get one thread per core ({@code -XX:ActiveProcessorCount} caps what the JVM reports).
 * Reactor Netty's global loops (its default is at least 4), which nothing of the gateway should use, are sized the
 * same way unless {@code -Dreactor.netty.ioWorkerCount} is given. Runs as an environment post-processor:
 * before any Netty resource is created, in tests too.
 */
public final class EventLoopSizing implements EnvironmentPostProcessor, Ordered {

    static final String REACTOR_NETTY_IO_WORKERS = "reactor.netty.ioWorkerCount";

    /** One I/O thread per core reported to the JVM. */
    public static int ioThreads() {
        return Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The gateway's network loops: one per core but one, at least one. The core left over runs what every stream
     * also needs (the MongoDB driver's threads, the JIT compiler, the collector, the stores on a shared box), and a
     * stream's work no longer hops between two loops that wait for the same two cores (measured: README, Performance,
     * "One event loop on two cores"). {@code GATEWAY_IO_THREADS} overrides it.
     */
    public static int gatewayLoops() {
        return gatewayLoops(ioThreads());
    }

    static int gatewayLoops(int cores) {
        return Math.max(1, cores - 1);
    }

    /** Lettuce's computation pool (its I/O runs on the gateway's loops): its minimum of 2, else one per core. */
    public static int redisThreads() {
        return Math.max(2, ioThreads());
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (System.getProperty(REACTOR_NETTY_IO_WORKERS) == null) {
            System.setProperty(REACTOR_NETTY_IO_WORKERS, Integer.toString(ioThreads()));
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
