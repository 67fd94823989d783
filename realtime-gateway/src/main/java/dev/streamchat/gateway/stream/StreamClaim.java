package dev.streamchat.gateway.stream;

/** What taking a new stream's session lock, lease and user slot found ({@link StreamRegistry#claim}), in the contract's order of refusals. */
public enum StreamClaim {
    /** Lock, lease and slot are the stream's. */
    TAKEN,
    /** Another stream runs in the session (409): nothing was taken. */
    SESSION_BUSY,
    /** The session was deleted (404): the lock and lease must be given back. */
    SESSION_DELETED,
    /** The user runs the most streams allowed (429): the lock and lease must be given back. */
    NO_SLOT
}
