package dev.streamchat.gateway.stream;

import java.time.Instant;

import dev.streamchat.gateway.auth.AuthenticatedUser;

/**
 * Everything a relay needs to run and finish one stream. {@code kind} says how the reply is stored:
 * a new exchange (user message + assistant message) or a new version of {@code messageId}.
 */
public record StreamSpec(AuthenticatedUser user, String sessionId, String streamId, String messageId,
                         String userMessageId, String clientRequestId, String question, AiRequest aiRequest,
                         Kind kind, Instant startedAt) {

    /** How the finished reply is written. */
    public enum Kind {
        NEW_EXCHANGE("exchange"), NEW_VERSION("version");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        public static Kind fromWireName(String name) {
            return "version".equals(name) ? NEW_VERSION : NEW_EXCHANGE;
        }
    }

    public String userId() {
        return user.userId();
    }
}
