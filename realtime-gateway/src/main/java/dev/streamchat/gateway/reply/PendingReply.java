package dev.streamchat.gateway.reply;

import dev.streamchat.gateway.persistence.StoredReply;

/**
 * A finished reply on its way to MongoDB, as kept in Redis while the write waits: everything needed to write it
 * (a new exchange, or a new version of {@code messageId}) and to charge it once ({@code charge}: completed, not
 * stopped). {@code createdAtMillis} is the time the reply finished (the stored {@code createdAt}).
 */
public record PendingReply(String streamId, String sessionId, String userId, String plan, boolean newVersion,
                           String messageId, String userMessageId, String question, StoredReply reply,
                           long createdAtMillis, boolean charge) {
}
