package dev.streamchat.gateway.model;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How long the gateway keeps the ai-service's model list ({@code MODELS_CACHE_S}) and how long it waits for it
 * ({@code fetchTimeout}: past it, 503 rather than a hang).
 */
@Validated
@ConfigurationProperties("gateway.models")
public record ModelProperties(@DefaultValue("30s") Duration cacheTtl,
                              @DefaultValue("2s") Duration fetchTimeout) {
}
