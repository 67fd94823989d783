package dev.streamchat.gateway.shutdown;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.stream.LocalStreams;

/**
 * A node leaving (SIGTERM, or any context close) without dropping a stream: readiness goes DOWN first
 * ({@code /actuator/health/readiness}, so a load balancer stops sending), new streams are refused with 503
 * {@code unavailable} and {@code Retry-After} ({@link DrainingFilter}), running streams get {@code SHUTDOWN_DRAIN_S}
 * to finish, and the rest end with the retryable {@code unavailable} error, whose clients retry on another node.
 * Only then do the web and socket servers stop (the final events still reach the sockets). Runs on the thread
 * closing the context, before any lifecycle bean stops.
 */
@Component
public class GracefulShutdown implements ApplicationListener<ContextClosedEvent> {

    private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration FINAL_EVENTS_WAIT = Duration.ofSeconds(3);

    private final LocalStreams streams;
    private final ShutdownProperties properties;
    private final ApplicationContext context;
    private final AtomicBoolean draining = new AtomicBoolean();

    GracefulShutdown(LocalStreams streams, ShutdownProperties properties, ApplicationContext context) {
        this.streams = streams;
        this.properties = properties;
        this.context = context;
    }

    /** True once this node stopped taking new streams. */
    public boolean draining() {
        return draining.get();
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() != context || !draining.compareAndSet(false, true)) {
            return;
        }
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        int running = streams.count();
        log.info("shutting down: readiness down, new streams refused, {} running get up to {} s", running,
                properties.drain().toSeconds());
        if (running == 0) {
            return;
        }
        boolean finished = waitUntilIdle(properties.drain());
        if (!finished) {
            int ended = streams.interruptAll();
            log.warn("shutting down: {} streams did not finish in time and end with a retryable error", ended);
            if (!waitUntilIdle(FINAL_EVENTS_WAIT)) {
                // A stream that was still waiting for the ai-service's status got accepted meanwhile.
                streams.interruptAll();
                waitUntilIdle(FINAL_EVENTS_WAIT);
            }
        }
        log.info("shutting down: {} streams left", streams.count());
    }

    private boolean waitUntilIdle(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (streams.count() > 0) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }
}
