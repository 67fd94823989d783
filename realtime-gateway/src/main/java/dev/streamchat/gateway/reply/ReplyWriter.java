package dev.streamchat.gateway.reply;

import java.time.Instant;

import org.springframework.stereotype.Component;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.persistence.ChatSessionStore;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.quota.QuotaSnapshot;
import reactor.core.publisher.Mono;

/**
 * The two effects of a finished reply, each idempotent per stream id so that any repeat (a retry after a write
 * that committed but answered late, a replay by another node) changes nothing: the one MongoDB write of the reply,
 * and then, for a completed (not stopped) reply, the one charge of the quota.
 */
@Component
class ReplyWriter {

    private final ChatSessionStore sessions;
    private final FreeTierQuota quota;

    ReplyWriter(ChatSessionStore sessions, FreeTierQuota quota) {
        this.sessions = sessions;
        this.quota = quota;
    }

    /** Writes the reply once (nothing for a charge-only one); errors when MongoDB fails or the message is gone. */
    Mono<Void> write(PendingReply reply) {
        if (reply.chargeOnly()) {
            return Mono.empty();
        }
        Instant at = Instant.ofEpochMilli(reply.createdAtMillis());
        if (reply.newVersion()) {
            return sessions.addVersion(reply.sessionId(), reply.userId(), reply.messageId(), reply.reply(), at,
                            reply.streamId())
                    .flatMap(stored -> stored ? Mono.<Void>empty() : Mono.error(new MessageGone()));
        }
        return sessions.appendExchange(reply.sessionId(), reply.userId(), reply.question(), reply.userMessageId(),
                reply.messageId(), reply.reply(), at);
    }

    /** Charges a completed reply once (a stopped one releases its reservation); the quota after it. */
    Mono<QuotaSnapshot> charge(PendingReply reply) {
        AuthenticatedUser user = new AuthenticatedUser(reply.userId(), reply.plan());
        if (reply.charge()) {
            return quota.commit(user, reply.streamId());
        }
        return quota.release(user, reply.streamId()).onErrorResume(e -> Mono.empty())
                .then(quota.snapshot(user));
    }

    /** The message a new version was for no longer exists (its session was deleted): nothing to write, ever. */
    static final class MessageGone extends RuntimeException {
        MessageGone() {
            super("message to version is gone", null, false, false);
        }
    }
}
