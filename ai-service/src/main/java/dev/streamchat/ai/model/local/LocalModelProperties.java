package dev.streamchat.ai.model.local;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/** Settings of the offline provider ({@code ai.local.*}): {@code tokensPerSecond} is LOCAL_TOKENS_PER_SECOND. */
@Validated
@ConfigurationProperties("ai.local")
public record LocalModelProperties(@DefaultValue("30") @Positive double tokensPerSecond) {
}
