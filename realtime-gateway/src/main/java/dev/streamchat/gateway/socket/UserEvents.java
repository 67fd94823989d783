package dev.streamchat.gateway.socket;

/**
 * Sends a server event to every socket of one user (the room named by the user id), on this node and,
 * once fan-out exists, on every node. Never blocks and never throws: a socket that cannot take the event is
 * skipped. Event names are those of {@link SocketEvents}; payloads are records or maps serialised as
 * contract section 0 says (nulls kept, ISO timestamps).
 */
public interface UserEvents {

    void emit(String userId, String event, Object payload);
}
