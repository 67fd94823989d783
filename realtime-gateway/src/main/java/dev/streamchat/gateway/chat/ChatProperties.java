package dev.streamchat.gateway.chat;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Sizes of a chat request: {@code CHAT_MAX_MESSAGE_CHARS}, {@code CHAT_HISTORY_MESSAGES},
 * {@code AI_MAX_HISTORY_CHARS} (what the ai-service accepts); per-user and
 * per-session bounds: {@code CHAT_MAX_CONCURRENT_STREAMS_PER_USER}, {@code CHAT_MAX_SESSION_MESSAGES} (messages plus
 * reply versions) and {@code CHAT_MAX_SESSION_BYTES} (UTF-8 text of questions, replies and versions).
 *
 * The reply cap ({@code CHAT_MAX_REPLY_CHARS}) is the relay's: {@code StreamProperties#maxReplyChars}.
 *
 * <p>A session at either session bound takes no new question or retry (409 {@code session_full}). One more exchange
 * adds at most the question and two copies of a capped reply, so the default 8 MB keeps a session document well
 * under MongoDB's 16 MB limit.
 */
@Validated
@ConfigurationProperties("gateway.chat")
public record ChatProperties(@DefaultValue("8000") @Positive int maxMessageChars,
                             @DefaultValue("20") @Positive int historyMessages,
                             @DefaultValue("32000") @Positive int maxHistoryChars,
                             @DefaultValue("3") @Positive int maxConcurrentStreamsPerUser,
                             @DefaultValue("1000") @Positive int maxSessionMessages,
                             @DefaultValue("8MB") DataSize maxSessionBytes) {
}
