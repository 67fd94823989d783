/**
 * Socket.IO event names of the contract (section 3), defined once. Mirrors
 * dev.streamchat.gateway.socket.SocketEvents on the Java side.
 */
export const ServerEvents = Object.freeze({
  STREAM_START: 'chat-stream-start',
  STREAM_TOKEN: 'chat-stream-token',
  STREAM_COMPLETE: 'chat-stream-complete',
  STREAM_ERROR: 'chat-stream-error',
  STREAM_PROGRESS: 'chat-stream-progress',
  DOCUMENT_PROGRESS: 'document-progress',
  DOCUMENT_READY: 'document-ready',
  SOCKET_ERROR: 'socket-error',
});

export const ClientEvents = Object.freeze({
  CHAT_STOP: 'chat-stop',
  CHAT_RESUME: 'chat-resume',
});

/** Connection states shown to the user. */
export const ConnectionState = Object.freeze({
  CONNECTING: 'connecting',
  CONNECTED: 'connected',
  RECONNECTING: 'reconnecting',
  OFFLINE: 'offline',
});
