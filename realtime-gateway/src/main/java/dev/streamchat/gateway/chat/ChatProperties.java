package dev.streamchat.gateway.chat;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Sizes of a chat request: {@code CHAT_MAX_MESSAGE_CHARS}, {@code CHAT_HISTORY_MESSAGES},
 * {@code AI_MAX_HISTORY_CHARS} (what the ai-service accepts). The reply cap ({@code CHAT_MAX_REPLY_CHARS}) is the
 * relay's: {@code StreamProperties#maxReplyChars}.
 */
@Validated
@ConfigurationProperties("gateway.chat")
public record ChatProperties(@DefaultValue("8000") @Positive int maxMessageChars,
                             @DefaultValue("20") @Positive int historyMessages,
                             @DefaultValue("32000") @Positive int maxHistoryChars) {
}
