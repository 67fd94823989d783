package dev.streamchat.gateway.socket;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The Socket.IO server ({@code SOCKET_PORT}, {@code SOCKET_HOST}, {@code SOCKET_PUBLIC_URL},
 * {@code SOCKET_PING_INTERVAL_MS}, {@code SOCKET_PING_TIMEOUT_MS}, {@code SOCKET_MAX_PAYLOAD_BYTES},
 * {@code SOCKET_MAX_EVENTS_PER_SECOND}, {@code SOCKET_PER_MESSAGE_DEFLATE}, {@code SOCKET_AUTH_TIMEOUT_MS}, {@code SOCKET_MAX_PER_USER},
 * {@code SOCKET_MAX_RESUMES_PER_MINUTE}, {@code SOCKET_MAX_UNAUTHENTICATED}).
 *
 * @param maxPayload     largest client packet; a bigger one gets {@code socket-error payload_too_large}, then disconnect
 * @param maxEventsPerSecond client packets per second per socket (burst of the same size); more gets
 *                       {@code socket-error rate_limited}, then disconnect
 * @param maxBufferedBytes outbound bytes a socket may have queued before further events skip it (netty high water mark)
 * @param authTimeout    an Engine.IO session that has not authenticated by then is closed
 * @param commandTimeout longest wait for a {@code chat-stop} / {@code chat-resume} answer before acking {@code unavailable}
 * @param perMessageDeflate WebSocket permessage-deflate and gzip on polling responses. Off by default, like Node's
 *                       socket.io: deflating every small token frame costs CPU on both ends and ~100 KB of zlib state
 *                       per socket; turn it on only where bandwidth is scarcer than CPU
 * @param maxPerUser     sockets one user may hold on one node ({@code SOCKET_MAX_PER_USER}); one more gets
 *                       {@code connect_error} {@code too_many_sockets}
 * @param maxResumesPerMinute {@code chat-resume} calls one socket may make per minute ({@code SOCKET_MAX_RESUMES_PER_MINUTE},
 *                       burst of the same size); more are acked {@code rate_limited}
 * @param maxUnauthenticated Engine.IO sessions one node holds that have not authenticated yet
 *                       ({@code SOCKET_MAX_UNAUTHENTICATED}); a session opened past it is closed at once
 */
@Validated
@ConfigurationProperties("gateway.socket")
public record SocketProperties(@DefaultValue("8081") @Min(0) @Max(65535) int port,
                               @DefaultValue("0.0.0.0") @NotBlank String host,
                               String publicUrl,
                               @DefaultValue("25000ms") Duration pingInterval,
                               @DefaultValue("20000ms") Duration pingTimeout,
                               @DefaultValue("16KB") DataSize maxPayload,
                               @DefaultValue("20") @Positive int maxEventsPerSecond,
                               @DefaultValue("1MB") DataSize maxBufferedBytes,
                               @DefaultValue("10s") Duration authTimeout,
                               @DefaultValue("30s") Duration commandTimeout,
                               @DefaultValue("false") boolean perMessageDeflate,
                               @DefaultValue("20") @Positive int maxPerUser,
                               @DefaultValue("30") @Positive int maxResumesPerMinute,
                               @DefaultValue("2000") @Positive int maxUnauthenticated) {

    /** What netty itself accepts (frame, HTTP body): above the app limit, so the app can answer with socket-error. */
    public int transportLimitBytes() {
        long limit = Math.max(64 * 1024L, maxPayload.toBytes() * 4);
        return (int) Math.min(Integer.MAX_VALUE, limit);
    }
}
