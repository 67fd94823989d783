package dev.streamchat.gateway.reply;

import dev.streamchat.gateway.persistence.StoredReply;

/**
 * A finished reply on its way to MongoDB, as kept in Redis while the write waits: everything needed to write it
 * (a new exchange, or a new version of {@code messageId}) and to charge it once ({@code charge}: completed, not
 * stopped). {@code createdAtMillis} is the time the reply finished (the stored {@code createdAt}).
 * {@code chargeOnly}: nothing is written, only the charge is owed (a whole answer whose session was deleted before
 * its save); it goes through the same write-ahead, charge and replay as any reply, so it is charged exactly once.
 */
public record PendingReply(String streamId, String sessionId, String userId, String plan, boolean newVersion,
                           String messageId, String userMessageId, String question, StoredReply reply,
                           long createdAtMillis, boolean charge, boolean chargeOnly) {

    /** A reply to write (and to charge when {@code charge}). */
    public PendingReply(String streamId, String sessionId, String userId, String plan, boolean newVersion,
                        String messageId, String userMessageId, String question, StoredReply reply,
                        long createdAtMillis, boolean charge) {
        this(streamId, sessionId, userId, plan, newVersion, messageId, userMessageId, question, reply, createdAtMillis,
                charge, false);
    }

    /** The same reply with nothing left to write: only its charge is owed. */
    PendingReply chargeOnlyCopy() {
        return new PendingReply(streamId, sessionId, userId, plan, newVersion, messageId, userMessageId, question, reply,
                createdAtMillis, true, true);
    }
}
