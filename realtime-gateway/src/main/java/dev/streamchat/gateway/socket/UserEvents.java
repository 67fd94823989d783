package dev.streamchat.gateway.socket;

/**
 * The one seam through which room events leave the node: sends a server event to every socket of one user (the
 * room named by the user id), on this node and on every other gateway node. {@link UserRooms} delivers to this
 * node's sockets ({@link RoomEvents}); {@code cluster.ClusterEvents} is the primary implementation: it delivers
 * here, then publishes the event to the user's Redis channel for the other nodes (a chat stream's events ride its
 * resume-log flush instead, see {@code stream.StreamFanout}).
 *
 * <p>Payloads are one of: a {@link StreamPayload} record of {@link StreamPayloads} (start, complete, error), an
 * {@link EncodedPayload} (tokens: JSON bytes built once per event, with their stream id and seq; forward
 * {@link EncodedPayload#json()} as-is and rebuild it on the other side with the same three values), or a plain
 * record or map (for example {@code document-ready}). All are serialised as contract section 0 says (nulls kept,
 * ISO timestamps). Event names are those of {@link SocketEvents}.
 *
 * <p>Threading: called from relay and Redis I/O threads; never blocks and never throws (a socket that cannot take
 * the event is skipped). Events of one stream are emitted in order from one thread at a time.
 */
public interface UserEvents {

    void emit(String userId, String event, Object payload);
}
