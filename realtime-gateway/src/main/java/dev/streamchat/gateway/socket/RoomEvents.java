package dev.streamchat.gateway.socket;

/**
 * {@link UserEvents} limited to this node's sockets: what the cluster fan-out uses to deliver what another node
 * published. Everything else sends through {@link UserEvents}, which reaches the user's sockets on every node.
 */
public interface RoomEvents extends UserEvents {
}
