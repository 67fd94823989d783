package dev.streamchat.gateway.socket;

import reactor.core.publisher.Mono;

/**
 * Every node's count of each user's sockets ({@code SOCKET_MAX_PER_USER} is a cluster-wide cap). Implemented over
 * Redis by {@code cluster.RedisSocketCounts}; a dead node's counts stop counting once its liveness lapses.
 */
public interface SocketCounts {

    /**
     * Counts one more socket of {@code userId} on this node unless the user already holds {@code max} on all nodes
     * together: true counted, false refused (nothing counted). Fails (or times out) when the count cannot be read;
     * the caller then keeps the socket (fail-open: the per-node cap still holds).
     */
    Mono<Boolean> add(String userId, int max);

    /** One counted socket of {@code userId} left this node. Best effort; never blocks. */
    void remove(String userId);
}
