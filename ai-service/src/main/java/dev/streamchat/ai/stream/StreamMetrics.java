package dev.streamchat.ai.stream;

import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Meters and the one INFO line per stream outcome (STYLE.md section 7). Meter names (Prometheus adds units and
 * {@code _total}): {@code ai.stream.started}, {@code ai.stream.finished} and {@code ai.stream.duration} tagged
 * {@code outcome} = complete | cancelled | timeout | rate_limited | upstream_error | internal, and
 * {@code ai.stream.first.token}; timers publish histograms. Tags stay low-cardinality: never a user or request id.
 */
@Component
public class StreamMetrics {

    private static final Logger log = LoggerFactory.getLogger(StreamMetrics.class);

    private final MeterRegistry registry;
    private final Counter started;
    private final Timer firstToken;

    public StreamMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.started = Counter.builder("ai.stream.started").description("answer streams started").register(registry);
        this.firstToken = Timer.builder("ai.stream.first.token")
                .description("time from request to the first token sent")
                .publishPercentileHistogram()
                .register(registry);
    }

    /** Starts timing one stream; the recorder is confined to that stream's (serialized) signals. */
    public Recorder start(String requestId, String provider) {
        started.increment();
        return new Recorder(requestId, provider, System.nanoTime());
    }

    /** The measurements of one stream. */
    public final class Recorder {
        private final String requestId;
        private final String provider;
        private final long startNanos;
        private volatile String route = "unknown";
        private volatile long firstTokenNanos = -1;
        private volatile int tokens;
        private volatile String outcome;
        private volatile boolean contextTrimmed;
        private volatile boolean finished;

        private Recorder(String requestId, String provider, long startNanos) {
            this.requestId = requestId;
            this.provider = provider;
            this.startNanos = startNanos;
        }

        public void route(String wireName) {
            this.route = wireName;
        }

        /** Observes each event sent to the client. */
        public void observe(ChatEvent event) {
            if (event instanceof ChatEvent.Token) {
                tokens++;
                if (firstTokenNanos < 0) {
                    firstTokenNanos = System.nanoTime();
                    firstToken.record(firstTokenNanos - startNanos, TimeUnit.NANOSECONDS);
                }
            } else if (event instanceof ChatEvent.Done done) {
                outcome = "complete";
                contextTrimmed = done.contextTrimmed();
            } else if (event instanceof ChatEvent.Failure failure) {
                outcome = failure.code().wireName();
            }
        }

        /** Records the outcome once, whatever ended the stream (a cancel without a terminal event is "cancelled"). */
        public void finish() {
            if (finished) {
                return;
            }
            finished = true;
            String result = outcome == null ? "cancelled" : outcome;
            long durationNanos = System.nanoTime() - startNanos;
            Counter.builder("ai.stream.finished").description("answer streams finished, by outcome")
                    .tag("outcome", result).register(registry).increment();
            Timer.builder("ai.stream.duration").description("answer stream duration, by outcome")
                    .tag("outcome", result).publishPercentileHistogram().register(registry)
                    .record(durationNanos, TimeUnit.NANOSECONDS);
            log.info("stream finished requestId={} route={} provider={} outcome={} tokens={} firstTokenMs={} durationMs={} contextTrimmed={}",
                    requestId, route, provider, result, tokens,
                    firstTokenNanos < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(firstTokenNanos - startNanos),
                    TimeUnit.NANOSECONDS.toMillis(durationNanos), contextTrimmed);
        }
    }
}
