package dev.streamchat.gateway.document;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Uploads ({@code UPLOAD_MAX_BYTES}, {@code UPLOAD_RATE_PER_MIN} per user) and how the gateway polls the ai-service until a document's indexing
 * ends (backoff from {@code pollInitial} doubling up to {@code pollMax}, or {@code progressPollMax} while the ai-service reports progress, giving up after {@code pollGiveUp}).
 */
@Validated
@ConfigurationProperties("gateway.documents")
public record DocumentProperties(@DefaultValue("10MB") DataSize uploadMaxBytes,
                                 @DefaultValue("10") @jakarta.validation.constraints.Positive int uploadsPerMinute,
                                 @DefaultValue("250ms") Duration pollInitial,
                                 @DefaultValue("5s") Duration pollMax,
                                 @DefaultValue("1s") Duration progressPollMax,
                                 @DefaultValue("15m") Duration pollGiveUp) {
}
