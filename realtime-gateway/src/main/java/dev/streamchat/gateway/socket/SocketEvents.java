package dev.streamchat.gateway.socket;

/** The Socket.IO event names of contract section 3, defined once. */
public final class SocketEvents {

    public static final String STREAM_START = "chat-stream-start";
    public static final String STREAM_TOKEN = "chat-stream-token";
    /** Deep Research's iterations (contract section 6); its seq shares the stream's one seq space with the tokens. */
    public static final String STREAM_PROGRESS = "chat-stream-progress";
    public static final String STREAM_COMPLETE = "chat-stream-complete";
    public static final String STREAM_ERROR = "chat-stream-error";
    public static final String DOCUMENT_READY = "document-ready";
    /** Indexing progress of a document, {@code {docId, phase, percent}}, before its {@code document-ready}. */
    public static final String DOCUMENT_PROGRESS = "document-progress";
    /** A reply whose {@code chat-stream-complete} said {@code persisted: false} is now stored. */
    public static final String SESSION_SAVED = "chat-session-saved";
    public static final String SOCKET_ERROR = "socket-error";
    public static final String CHAT_STOP = "chat-stop";
    public static final String CHAT_RESUME = "chat-resume";

    private SocketEvents() {
    }
}
