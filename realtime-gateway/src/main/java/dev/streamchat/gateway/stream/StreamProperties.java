package dev.streamchat.gateway.stream;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.hibernate.validator.constraints.time.DurationMax;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Limits of one relayed stream: {@code STREAM_TIMEOUT_MS} (no byte from the ai-service),
 * {@code STREAM_MAX_DURATION_S} (+ 5 s grace, contract section 3), {@code RESUME_TTL_S},
 * the resume-log flush tick ({@code STREAM_RESUME_FLUSH_MS}) and the longest a stream's tokens wait for the log while
 * no other node needs them ({@code STREAM_RESUME_BATCH_MS}), the {@code ENABLE_STREAMING} rollback switch and the
 * liveness lease of a running stream ({@code STREAM_LEASE_TTL_S}: a stream whose node stopped refreshing it for that
 * long counts as failed), and the reply cap ({@code CHAT_MAX_REPLY_CHARS}: characters relayed and stored per reply;
 * the rest is dropped).
 */
@Validated
@ConfigurationProperties("gateway.stream")
public record StreamProperties(@DefaultValue("true") boolean enableStreaming,
                               @DefaultValue("60s") Duration idleTimeout,
                               @DefaultValue("120s") Duration maxDuration,
                               @DefaultValue("300s") Duration resumeTtl,
                               @DefaultValue("50ms") Duration flushInterval,
                               // A stop asked on another node is read from a flush's answer: within the contract's 1 s.
                               @DefaultValue("250ms") @DurationMax(millis = 500) Duration resumeBatch,
                               @DefaultValue("15s") Duration leaseTtl,
                               @DefaultValue("100000") @Positive int maxReplyChars) {

    @ConstructorBinding
    public StreamProperties {
    }

    /** With the default resume batch, 15 s lease and reply cap. */
    public StreamProperties(boolean enableStreaming, Duration idleTimeout, Duration maxDuration, Duration resumeTtl,
                            Duration flushInterval) {
        this(enableStreaming, idleTimeout, maxDuration, resumeTtl, flushInterval, Duration.ofMillis(250),
                Duration.ofSeconds(15), 100_000);
    }

    /** The overall bound of a stream: the ai-service's own maximum plus 5 s for it to send its {@code error}. */
    public Duration overallLimit() {
        return maxDuration.plusSeconds(5);
    }
}
