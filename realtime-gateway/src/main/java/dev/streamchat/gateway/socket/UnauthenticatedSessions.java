package dev.streamchat.gateway.socket;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.ConnectListener;
import com.corundumstudio.socketio.listener.DisconnectListener;
import com.corundumstudio.socketio.transport.NamespaceClient;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * At most {@code SOCKET_MAX_UNAUTHENTICATED} Engine.IO sessions on this node that have not authenticated yet. Each
 * such session costs memory until {@code SOCKET_AUTH_TIMEOUT_MS} closes it, and opening one needs no credentials, so
 * without a bound a flood of handshakes fills the heap. A session opened past the bound is closed at once; sessions
 * that authenticate or go away free their place. Registered last among the authentication listeners, so it only
 * sees CONNECTs the others accepted. Runs on the netty event loop; CPU only.
 */
class UnauthenticatedSessions implements ConnectListener, AuthTokenListener, DisconnectListener {

    private static final Logger log = LoggerFactory.getLogger(UnauthenticatedSessions.class);
    /** Present while the session holds a place; cleared exactly once, by authentication or by disconnect. */
    private static final String PLACE_KEY = "streamchat.unauthenticatedPlace";

    private final int max;
    private final AtomicInteger held = new AtomicInteger();
    private final Counter refused;

    UnauthenticatedSessions(int max, MeterRegistry registry) {
        this.max = max;
        this.refused = Counter.builder("gateway.socket.refused").tag("reason", "too_many_unauthenticated")
                .description("Engine.IO sessions closed because too many had not authenticated yet").register(registry);
        Gauge.builder("gateway.socket.unauthenticated", held, AtomicInteger::get)
                .description("Engine.IO sessions on this node that have not authenticated yet").register(registry);
    }

    @Override
    public void onConnect(SocketIOClient client) {
        if (held.incrementAndGet() > max) {
            held.decrementAndGet();
            refused.increment();
            log.info("socket refused sessionId={} reason=too_many_unauthenticated limit={}", client.getSessionId(), max);
            if (client instanceof NamespaceClient namespaceClient) {
                namespaceClient.getBaseClient().disconnect();
            } else {
                client.disconnect();
            }
            return;
        }
        client.set(PLACE_KEY, new AtomicBoolean(true));
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        release(client);
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    @Override
    public void onDisconnect(SocketIOClient client) {
        release(client);
    }

    int held() {
        return held.get();
    }

    private void release(SocketIOClient client) {
        AtomicBoolean place = client.get(PLACE_KEY);
        if (place != null && place.getAndSet(false)) {
            held.decrementAndGet();
        }
    }
}
