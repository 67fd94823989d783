package dev.streamchat.gateway.socket;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ExceptionListenerAdapter;

import io.netty.channel.ChannelHandlerContext;

/**
 * Logs socket failures without the packet content (which can hold tokens or message text) and closes a connection
 * that sent something undecodable.
 */
class SocketExceptionListener extends ExceptionListenerAdapter {

    private static final Logger log = LoggerFactory.getLogger(SocketExceptionListener.class);

    @Override
    public void onEventException(Exception e, List<Object> args, SocketIOClient client) {
        log.warn("socket event handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onDisconnectException(Exception e, SocketIOClient client) {
        log.warn("socket disconnect handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onConnectException(Exception e, SocketIOClient client) {
        log.warn("socket connect handler failed sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public void onAuthException(Throwable e, SocketIOClient client) {
        log.warn("socket auth failed with an error sessionId={} error={}", client.getSessionId(), e.toString());
    }

    @Override
    public boolean exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
        log.debug("socket channel closed after an error: {}", e.toString());
        ctx.close();
        return true;
    }
}
