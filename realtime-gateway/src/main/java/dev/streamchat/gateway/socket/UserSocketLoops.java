package dev.streamchat.gateway.socket;

import io.netty.channel.EventLoop;

/**
 * Which event loop one of a user's WebSocket connections on this node runs on, so that work for that user (reading
 * its ai-service stream) can run there too and write to the socket without a hand-off between threads.
 */
public interface UserSocketLoops {

    /** The loop of one of the user's WebSocket sessions on this node; null when it has none. Never blocks. */
    EventLoop loopOf(String userId);
}
