/**
 * The one Socket.IO connection of the page. Listeners are registered exactly once when the connection is
 * opened and removed in {@link Connection#close}; views never call `socket.on` themselves, so switching
 * sessions or reconnecting cannot stack duplicate handlers. Authentication uses the HttpOnly `token`
 * cookie (sent cross-port with `withCredentials`), never a query string.
 */
import { io } from '../vendor/socket.io.esm.min.js';
import { ServerEvents, ConnectionState } from './events.js';

const ACK_TIMEOUT_MS = 5000;

export class Connection {
  /**
   * @param {string} socketUrl from GET /api/v1/config
   * @param {object} handlers
   *   onServerEvent(name, payload), onState(state), onReconnected(), onUnauthorized()
   */
  constructor(socketUrl, handlers) {
    this.handlers = handlers;
    this.state = ConnectionState.CONNECTING;
    this.everConnected = false;
    this.socket = io(socketUrl, {
      withCredentials: true,
      // WebSocket first; where it cannot open (old proxies), long-polling (CORS with credentials) instead.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnectionDelay: 500,
      reconnectionDelayMax: 4000,
      timeout: 8000,
    });

    this.serverListeners = Object.values(ServerEvents).map((name) => {
      const listener = (payload) => handlers.onServerEvent(name, payload || {});
      this.socket.on(name, listener);
      return [name, listener];
    });

    this.onConnect = () => {
      const wasReconnect = this.everConnected;
      this.everConnected = true;
      this.setState(ConnectionState.CONNECTED);
      if (wasReconnect) handlers.onReconnected();
    };
    this.onDisconnect = (reason) => {
      if (reason === 'io client disconnect') return;
      this.setState(navigator.onLine ? ConnectionState.RECONNECTING : ConnectionState.OFFLINE);
      if (reason === 'io server disconnect') this.socket.connect();
    };
    this.onConnectError = (err) => {
      if (err && err.message === 'unauthorized') {
        handlers.onUnauthorized();
        return;
      }
      this.setState(navigator.onLine ? ConnectionState.RECONNECTING : ConnectionState.OFFLINE);
    };
    this.onOffline = () => this.setState(ConnectionState.OFFLINE);
    this.onOnline = () => {
      // Come back at once instead of waiting for the next back-off step.
      if (this.socket.connected) {
        this.setState(ConnectionState.CONNECTED);
      } else {
        this.setState(ConnectionState.RECONNECTING);
        this.socket.connect();
      }
    };

    this.socket.on('connect', this.onConnect);
    this.socket.on('disconnect', this.onDisconnect);
    this.socket.on('connect_error', this.onConnectError);
    window.addEventListener('offline', this.onOffline);
    window.addEventListener('online', this.onOnline);
    if (!navigator.onLine) this.setState(ConnectionState.OFFLINE);
  }

  get connected() {
    return this.socket.connected;
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.handlers.onState(state);
  }

  /** Emits with an ack; resolves with the ack or `{ok:false, error:{code:'timeout'}}`. */
  request(event, payload) {
    return new Promise((resolve) => {
      if (!this.socket.connected) {
        resolve({ ok: false, error: { code: 'disconnected', message: 'Not connected' } });
        return;
      }
      this.socket.timeout(ACK_TIMEOUT_MS).emit(event, payload, (err, ack) => {
        resolve(err ? { ok: false, error: { code: 'timeout', message: 'No answer from the server' } } : ack || { ok: false });
      });
    });
  }

  close() {
    for (const [name, listener] of this.serverListeners) this.socket.off(name, listener);
    this.socket.off('connect', this.onConnect);
    this.socket.off('disconnect', this.onDisconnect);
    this.socket.off('connect_error', this.onConnectError);
    window.removeEventListener('offline', this.onOffline);
    window.removeEventListener('online', this.onOnline);
    this.socket.disconnect();
  }
}
