package dev.streamchat.gateway.reply;

import dev.streamchat.gateway.quota.QuotaSnapshot;

/**
 * The outcome of saving a finished reply: {@code persisted} false means MongoDB did not take it in time and it waits
 * in Redis (a background replayer writes it, then sends {@code chat-session-saved}); {@code quota} is the caller's
 * quota after the charge, or null when it could not be read.
 */
public record SavedReply(boolean persisted, QuotaSnapshot quota) {
}
