package dev.streamchat.ai.stream;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Positive;

/**
 * How answer streams behave on the wire.
 *
 * @param keepalive   {@code STREAM_KEEPALIVE_MS}: a {@code : keepalive} comment after this much silence
 * @param maxDuration {@code STREAM_MAX_DURATION_S}: a longer stream ends with {@code error} {@code timeout}
 * @param bufferSize  model tokens buffered between the provider's callbacks and the response; a full buffer ends
 *                    the stream with {@code internal} (a reader that slow would otherwise grow memory without bound)
 */
@Validated
@ConfigurationProperties("ai.stream")
public record StreamProperties(@DefaultValue("10s") Duration keepalive,
                               @DefaultValue("120s") Duration maxDuration,
                               @DefaultValue("1024") @Positive int bufferSize) {
}
