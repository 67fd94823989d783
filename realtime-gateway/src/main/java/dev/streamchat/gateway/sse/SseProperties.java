package dev.streamchat.gateway.sse;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The plain-SSE responses ({@code POST /chat/stream}, {@code GET /chat/streams/{id}/events}): a {@code : keepalive}
 * comment after {@code SSE_KEEPALIVE_S} without an event, and at most {@code SSE_MAX_BUFFERED_EVENTS} events waiting
 * for one slow reader before it is dropped (it resumes with {@code Last-Event-ID}).
 */
@Validated
@ConfigurationProperties("gateway.sse")
public record SseProperties(@DefaultValue("15s") Duration keepalive,
                            @DefaultValue("4096") @Positive int maxBufferedEvents) {

    public SseProperties {
        if (keepalive == null || keepalive.isZero() || keepalive.isNegative()) {
            throw new IllegalArgumentException("SSE_KEEPALIVE_S (gateway.sse.keepalive) must be positive");
        }
    }
}
