package dev.streamchat.gateway.stream;

/** What claiming a new stream found ({@link StreamRegistry#claim}), in the contract's order of refusals; a refusal took nothing. */
public enum StreamClaim {
    /** Lock, lease and slot are the stream's, and it is recorded as running. */
    TAKEN,
    /** Another stream runs in the session (409): nothing was taken. */
    SESSION_BUSY,
    /** The session was deleted (404). */
    SESSION_DELETED,
    /** The user runs the most streams allowed (429). */
    NO_SLOT
}
