package dev.streamchat.ai.tpm;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Positive;

/**
 * The shared OpenAI tokens-per-minute budget (CONTRACT.md section 5).
 *
 * @param limit        {@code OPENAI_TPM_LIMIT}: tokens that may be reserved per window
 * @param window       the counter's TTL, set when a window starts (70 s: a minute plus slack for clock skew)
 * @param maxWait      how long a request waits for room before it ends with {@code rate_limited}
 * @param pollInterval how often a waiting request tries again
 * @param key          the Redis counter
 */
@Validated
@ConfigurationProperties("ai.tpm")
public record TpmProperties(@DefaultValue("200000") @Positive long limit,
                            @DefaultValue("70s") Duration window,
                            @DefaultValue("10s") Duration maxWait,
                            @DefaultValue("250ms") Duration pollInterval,
                            @DefaultValue("openai:tpm:counter") String key) {
}
