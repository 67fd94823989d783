package dev.streamchat.gateway.socket;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.socket.StreamCommands.ResumeStatus;
import dev.streamchat.gateway.socket.StreamCommands.StopResult;

/**
 * {@code chat-stop} and {@code chat-resume} (contract section 3). Listeners run on the netty event loop, so each
 * command is subscribed to, never waited for; its ack is sent exactly once, when it answers, fails or times out.
 * A malformed payload is acked {@code {ok:false, error:{code:"bad_request"}}}; a socket that has not authenticated
 * gets {@code unauthorized}. A socket disconnecting changes nothing about a stream. {@code chat-resume} is bounded:
 * at most {@code SOCKET_MAX_RESUMES_PER_MINUTE} per socket, and one replay per stream and socket at a time (a second
 * one while the first runs is acked {@code rate_limited}); both refusals say why in {@code error.message}.
 */
class ChatSocketHandler {

    private static final Logger log = LoggerFactory.getLogger(ChatSocketHandler.class);
    private static final int MAX_STREAM_ID_LENGTH = 256;
    private static final String RESUME_LIMITER_KEY = "streamchat.resumeLimiter";

    private final ObjectProvider<StreamCommands> commands;
    private final ResumeGates resumeGates;
    private final Duration timeout;
    private final int maxResumesPerMinute;

    ChatSocketHandler(ObjectProvider<StreamCommands> commands, ResumeGates resumeGates, SocketProperties properties) {
        this.commands = commands;
        this.resumeGates = resumeGates;
        this.timeout = properties.commandTimeout();
        this.maxResumesPerMinute = properties.maxResumesPerMinute();
    }

    private EventRateLimiter resumeLimiter(SocketIOClient client) {
        EventRateLimiter limiter = client.get(RESUME_LIMITER_KEY);
        if (limiter == null) {
            limiter = new EventRateLimiter(maxResumesPerMinute, Duration.ofMinutes(1), System.nanoTime());
            client.set(RESUME_LIMITER_KEY, limiter);
        }
        return limiter;
    }

    void register(SocketIONamespace namespace) {
        namespace.addEventListener(SocketEvents.CHAT_STOP, Object.class, this::onStop);
        namespace.addEventListener(SocketEvents.CHAT_RESUME, Object.class, this::onResume);
    }

    void onStop(SocketIOClient client, Object data, AckRequest ackRequest) {
        Ack ack = new Ack(ackRequest);
        AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
        if (user == null) {
            ack.send(SocketAcks.failure(ErrorCode.UNAUTHORIZED, "The socket is not authenticated."));
            return;
        }
        String streamId = streamId(data);
        if (streamId == null) {
            ack.send(SocketAcks.failure(ErrorCode.BAD_REQUEST, "Expected {streamId}."));
            return;
        }
        StreamCommands streams = commands.getIfAvailable();
        if (streams == null) {
            ack.send(SocketAcks.failure(ErrorCode.UNAVAILABLE, "Streams are not available on this node."));
            return;
        }
        streams.stop(user.userId(), streamId)
                .timeout(timeout)
                .subscribe(result -> ack.send(result == StopResult.NOT_FOUND
                                ? SocketAcks.failure(ErrorCode.NOT_FOUND, "No such stream.")
                                : SocketAcks.ok()),
                        error -> {
                            log.warn("chat-stop failed userId={} error={}", user.userId(), error.toString());
                            ack.send(SocketAcks.failure(ErrorCode.UNAVAILABLE, "The stop could not be processed, try again."));
                        },
                        () -> ack.send(SocketAcks.failure(ErrorCode.INTERNAL, "The stop had no result.")));
    }

    void onResume(SocketIOClient client, Object data, AckRequest ackRequest) {
        Ack ack = new Ack(ackRequest);
        AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
        if (user == null) {
            ack.send(SocketAcks.failure(ErrorCode.UNAUTHORIZED, "The socket is not authenticated."));
            return;
        }
        String streamId = streamId(data);
        Long afterSeq = afterSeq(data);
        if (streamId == null || afterSeq == null) {
            ack.send(SocketAcks.failure(ErrorCode.BAD_REQUEST, "Expected {streamId, afterSeq} with afterSeq >= 0."));
            return;
        }
        StreamCommands streams = commands.getIfAvailable();
        if (streams == null) {
            ack.send(SocketAcks.failure(ErrorCode.UNAVAILABLE, "Streams are not available on this node."));
            return;
        }
        if (!resumeLimiter(client).tryAcquire(1, System.nanoTime())) {
            ack.send(SocketAcks.failure(ErrorCode.RATE_LIMITED,
                    "More than " + maxResumesPerMinute + " chat-resume calls per minute on this socket."));
            return;
        }
        // Live events of this stream wait for the replay, so this socket sees missed events first, then live ones.
        ResumeGates.Gate gate = resumeGates.open(client, streamId);
        if (gate == null) {
            ack.send(SocketAcks.failure(ErrorCode.RATE_LIMITED,
                    "A chat-resume of this stream is already replaying to this socket; it sends the missed events."));
            return;
        }
        streams.resume(user.userId(), streamId, afterSeq,
                        status -> ack.send(resumeAck(status)),
                        (event, payload) -> {
                            if (!ack.sent()) {
                                // The contract promises the ack before any replayed event.
                                log.warn("chat-resume replayed an event before its ack streamId={}", streamId);
                            }
                            gate.sendReplayed(event, payload);
                        })
                .timeout(timeout)
                .doFinally(signal -> gate.release())
                .subscribe(status -> ack.send(resumeAck(status)),
                        error -> {
                            log.warn("chat-resume failed userId={} error={}", user.userId(), error.toString());
                            ack.send(SocketAcks.failure(ErrorCode.UNAVAILABLE, "The resume could not be processed, try again."));
                        },
                        () -> ack.send(SocketAcks.failure(ErrorCode.INTERNAL, "The resume had no result.")));
    }

    private static Map<String, Object> resumeAck(ResumeStatus status) {
        if (status == null || status == ResumeStatus.UNKNOWN) {
            return SocketAcks.failure(ResumeStatus.UNKNOWN.wireName(), ErrorCode.NOT_FOUND, "No such stream.");
        }
        return SocketAcks.ok(status.wireName());
    }

    static String streamId(Object data) {
        if (data instanceof Map<?, ?> fields && fields.get("streamId") instanceof String id) {
            String trimmed = id.trim();
            if (!trimmed.isEmpty() && trimmed.length() <= MAX_STREAM_ID_LENGTH) {
                return trimmed;
            }
        }
        return null;
    }

    /** {@code afterSeq} as a non-negative integer; absent or null means 0; anything else is malformed (null). */
    static Long afterSeq(Object data) {
        if (!(data instanceof Map<?, ?> fields)) {
            return null;
        }
        Object value = fields.get("afterSeq");
        if (value == null) {
            return 0L;
        }
        if (value instanceof Integer || value instanceof Long || value instanceof Short) {
            long seq = ((Number) value).longValue();
            return seq >= 0 ? seq : null;
        }
        if (value instanceof Double d && d >= 0 && d == Math.rint(d) && d < 9.0e15) {
            return d.longValue();
        }
        return null;
    }

    /** Sends the first ack only; later answers (a timeout racing a result) are dropped. */
    private static final class Ack {
        private final AckRequest request;
        private final AtomicBoolean sent = new AtomicBoolean();

        Ack(AckRequest request) {
            this.request = request;
        }

        void send(Map<String, Object> payload) {
            if (sent.compareAndSet(false, true) && request.isAckRequested()) {
                request.sendAckData(payload);
            }
        }

        boolean sent() {
            return sent.get();
        }
    }
}
