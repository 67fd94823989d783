package dev.streamchat.gateway.socket;

import java.io.IOException;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandlerContext;

/**
 * Logs socket failures without the packet content (which can hold tokens or message text) and closes a connection
 * that sent something undecodable. Counts each call in {@code gateway.socket.errors}: the inbound guards are meant to
 * refuse bad input before it can throw, so this counter should stay at zero. A peer that went away (connection reset,
 * broken pipe: an {@link IOException} from the socket) is not an error of ours: the channel is closed without counting.
 */
class SocketExceptionListener extends ExceptionListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SocketExceptionListener.class);

    private final Counter errors;

    SocketExceptionListener(MeterRegistry registry) {
        this.errors = Counter.builder("gateway.socket.errors")
                .description("Exceptions that reached netty-socketio's exception listener").register(registry);
    }

    @Override
    public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
        errors.increment();
        log.warn("socket event handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onDisconnectException(Exception e, SocketIOClient client) {
        errors.increment();
        log.warn("socket disconnect handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onConnectException(Exception e, SocketIOClient client) {
        errors.increment();
        log.warn("socket connect handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
        errors.increment();
        log.warn("socket auth failed with an error sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        if (!(e instanceof IOException)) {
            errors.increment();
            // The type and where it was thrown, not the message: a decoder's message can quote the packet.
            StackTraceElement[] at = e.getStackTrace();
            log.warn("socket channel closed after an unexpected error type={} at={}", e.getClass().getName(),
                    at.length == 0 ? "unknown" : at[0]);
        }
        log.debug("socket channel closed after an error: {}", e.toString());
        ctx.close();
        return true;
    }
}
