package dev.streamchat.gateway.quota;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The free plan's monthly allowance ({@code FREE_TIER_CHATS_PER_MONTH}) and how long a reservation lives
 * when nobody releases it (a gateway that died mid-stream): longer than any stream may run.
 */
@Validated
@ConfigurationProperties("gateway.quota")
public record QuotaProperties(@DefaultValue("25") @Positive int freeChatsPerMonth,
                              @DefaultValue("180s") Duration reservationTtl) {
}
