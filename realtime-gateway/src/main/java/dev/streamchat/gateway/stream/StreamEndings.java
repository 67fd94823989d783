package dev.streamchat.gateway.stream;

import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * How a relayed stream ends, decided above the relay. The relay knows when a stream completed, was stopped or
 * failed, and guarantees each stream ends exactly once; the implementation saves the reply and settles the quota,
 * then names the final socket event, which the relay writes to the resume log after every token and then sends to
 * the user's room. The returned Mono must not fail: a failed save is itself an ending ({@code chat-stream-error}).
 */
public interface StreamEndings {

    /** The ai-service sent {@code done}: save the reply, count it, then {@code chat-stream-complete}. */
    Mono<FinalEvent> completed(EndedStream stream, AiStreamEvent.Done done);

    /** The user stopped the stream: save the partial reply flagged as stopped, do not count it. */
    Mono<FinalEvent> stopped(EndedStream stream);

    /**
     * The stream failed (or its session was deleted): save nothing, release the quota reservation.
     *
     * @param outcome the {@code chat.stream.duration} outcome tag: {@code error}, {@code timeout} or {@code stopped}
     */
    Mono<FinalEvent> failed(EndedStream stream, ErrorCode code, String message, String outcome);
}
