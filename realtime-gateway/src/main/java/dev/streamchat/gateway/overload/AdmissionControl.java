package dev.streamchat.gateway.overload;

import java.util.EnumMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The door of {@code /chat/new} and {@code /retry}: {@link #admit()} refuses a new stream with 503 {@code unavailable}
 * and {@code Retry-After} while {@link PressureProbe} measures overload, before anything is reserved, locked or asked
 * of the ai-service. Better a fast, retryable 503 now than a stream accepted and its reply lost at the end.
 */
@Component
public class AdmissionControl {

    private static final Logger log = LoggerFactory.getLogger(AdmissionControl.class);

    enum Reason { LAG, STREAMS, SAVE }

    private final OverloadProperties properties;
    private final PressureProbe probe;
    private final Map<Reason, Counter> shed;

    AdmissionControl(OverloadProperties properties, PressureProbe probe, MeterRegistry meters) {
        this.properties = properties;
        this.probe = probe;
        this.shed = new EnumMap<>(Reason.class);
        for (Reason reason : Reason.values()) {
            shed.put(reason, Counter.builder("gateway.overload.shed").tag("reason", reason.name().toLowerCase())
                    .description("Chat requests refused at the door because this node is overloaded").register(meters));
        }
    }

    /** Returns when a new stream may start; throws 503 {@code unavailable} with {@code Retry-After} when not. */
    public void admit() {
        if (!properties.enabled()) {
            return;
        }
        PressureProbe.Pressure pressure = probe.current();
        Reason reason = overloadedBy(pressure);
        if (reason != null) {
            shed.get(reason).increment();
            log.debug("shedding a chat request: {} (lag {} ms, {} streams/core, save {} ms)", reason,
                    Math.round(pressure.lagMillis()), pressure.streamsPerCore(), Math.round(pressure.saveMillis()));
            throw new ApiException(ErrorCode.UNAVAILABLE, "The server is busy, try again shortly.",
                    properties.retryAfter(), Map.of());
        }
    }

    private Reason overloadedBy(PressureProbe.Pressure pressure) {
        if (pressure.streamsPerCore() >= properties.maxStreamsPerCore()) {
            return Reason.STREAMS;
        }
        if (pressure.lagMillis() > properties.maxSchedulingLag().toMillis()) {
            return Reason.LAG;
        }
        if (pressure.saveMillis() > properties.maxSaveLatency().toMillis()) {
            return Reason.SAVE;
        }
        return null;
    }
}
