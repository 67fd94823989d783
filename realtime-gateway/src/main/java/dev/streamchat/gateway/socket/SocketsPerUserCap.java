package dev.streamchat.gateway.socket;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.VerifiedToken;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * At most {@code SOCKET_MAX_PER_USER} sockets per user on this node. Runs after the authentication listener (which
 * has joined the socket to its user's room): a CONNECT over the cap is undone and refused with the CONNECT_ERROR
 * {@code {"message":"too_many_sockets","data":{"code":"too_many_sockets","limit":N}}}, which the official client
 * surfaces as {@code connect_error} ({@code err.message}, {@code err.data}) and does not retry by itself.
 * Runs on the netty event loop; CPU only.
 */
class SocketsPerUserCap implements AuthTokenListener {

    static final String CODE = "too_many_sockets";
    private static final Logger log = LoggerFactory.getLogger(SocketsPerUserCap.class);

    private final SocketIONamespace namespace;
    private final int maxPerUser;
    private final Counter refused;

    SocketsPerUserCap(SocketIONamespace namespace, int maxPerUser, MeterRegistry registry) {
        this.namespace = namespace;
        this.maxPerUser = maxPerUser;
        this.refused = Counter.builder("gateway.socket.refused").tag("reason", CODE)
                .description("CONNECTs refused because the user has too many sockets").register(registry);
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
        if (user == null) {
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        int sockets = namespace.getRoomOperations(user.userId()).getClients().size();
        if (sockets <= maxPerUser) {
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        client.leaveRoom(user.userId());
        client.del(AuthenticatedUser.SOCKET_KEY);
        client.del(VerifiedToken.SOCKET_KEY);
        refused.increment();
        log.info("socket refused sessionId={} userId={} reason={} limit={}", client.getSessionId(), user.userId(), CODE, maxPerUser);
        return new AuthTokenResult(false, Map.of("message", CODE, "data", Map.of("code", CODE, "limit", maxPerUser)));
    }
}
