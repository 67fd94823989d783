package dev.streamchat.gateway.reply;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the end of a stream waits for MongoDB to take its reply ({@code REPLY_SAVE_WINDOW_MS}, retried with
 * backoff within it) before answering {@code persisted: false}, and how long a reply waiting for MongoDB is kept in
 * Redis ({@code REPLY_PENDING_TTL_H}, far longer than an outage).
 */
@Validated
@ConfigurationProperties("gateway.reply")
public record ReplyProperties(@DefaultValue("6s") Duration saveWindow,
                              @DefaultValue("168h") Duration pendingTtl,
                              @DefaultValue("2s") Duration replayInterval) {
}
