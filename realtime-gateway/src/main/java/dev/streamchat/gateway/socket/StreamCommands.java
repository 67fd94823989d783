package dev.streamchat.gateway.socket;

import java.util.function.BiConsumer;

import reactor.core.publisher.Mono;

/**
 * What a user can do to one of their running or recently ended streams, from REST or a socket.
 * Implementations work on any gateway node (state and resume buffers live in Redis) and never let a user
 * touch another user's stream: such a stream is reported exactly like an unknown one.
 */
public interface StreamCommands {

    /** Outcome of a stop request. */
    enum StopResult {
        /** The stream was running and is being stopped (ai-service call cancelled within 1 s). */
        STOPPING,
        /** The caller's own stream had already finished: no effect. */
        ALREADY_FINISHED,
        /** Unknown, expired, or another user's stream. */
        NOT_FOUND
    }

    /** Status reported in the {@code chat-resume} ack. */
    enum ResumeStatus {
        RUNNING("running"), COMPLETE("complete"), ERROR("error"), UNKNOWN("unknown");

        private final String wireName;

        ResumeStatus(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    Mono<StopResult> stop(String userId, String streamId);

    /**
     * Replays a stream to one socket: answers the status first (the caller acks with it), then hands every
     * missed event (token events with seq > afterSeq in seq order, then the final event if the stream has
     * ended) to {@code sendToSocket} as (event name, payload). Live events keep reaching the socket through
     * the user's room; a seq may therefore arrive twice, with an identical payload.
     *
     * @param ackFirst called once with the status before any replayed event is sent
     */
    Mono<ResumeStatus> resume(String userId, String streamId, long afterSeq,
                              java.util.function.Consumer<ResumeStatus> ackFirst,
                              BiConsumer<String, Object> sendToSocket);
}
