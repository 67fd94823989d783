package dev.streamchat.ai.chat;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Positive;

/**
 * Input limits: {@code AI_MAX_QUERY_CHARS} for {@code user_query}, {@code AI_MAX_HISTORY_CHARS} for the summed
 * {@code content} of {@code chat_history}, {@code AI_MAX_HISTORY_MESSAGES} for its number of entries.
 */
@Validated
@ConfigurationProperties("ai.chat")
public record ChatProperties(@DefaultValue("8000") @Positive int maxQueryChars,
                             @DefaultValue("32000") @Positive int maxHistoryChars,
                             @DefaultValue("100") @Positive int maxHistoryMessages) {
}
