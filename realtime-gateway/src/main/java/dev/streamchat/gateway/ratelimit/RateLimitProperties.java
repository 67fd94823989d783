package dev.streamchat.gateway.ratelimit;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** The per-user token bucket on {@code /chat/new} and {@code /retry} ({@code RATE_LIMIT_CHAT_PER_MIN}). */
@Validated
@ConfigurationProperties("gateway.ratelimit")
public record RateLimitProperties(@DefaultValue("30") @Positive int chatPerMinute) {
}
