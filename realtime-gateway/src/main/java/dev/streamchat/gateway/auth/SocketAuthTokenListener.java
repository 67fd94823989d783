package dev.streamchat.gateway.auth;

import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;

import io.netty.handler.codec.http.HttpHeaderNames;

/**
 * Authenticates a Socket.IO CONNECT to the default namespace (contract section 3): {@code auth.token} when the
 * client sends one (a bad one is refused even if a cookie is valid), else the {@code token} cookie of the handshake.
 * A token this node revoked (logout) is refused; the socket package also checks Redis once the socket is accepted.
 * The accepted socket keeps its {@link VerifiedToken} (hash and expiry) under {@link VerifiedToken#SOCKET_KEY}.
 * Refusal is the CONNECT_ERROR {@code {"message":"unauthorized"}}, which official clients surface as
 * {@code connect_error} and do not retry. Only an accepted socket joins a room: the one named by its user id.
 * A payload-less CONNECT reaches this listener as {@code {}} (see {@code ConnectPacketNormalizer}).
 * Runs on the netty event loop: CPU-only work.
 */
@Component
public class SocketAuthTokenListener implements AuthTokenListener {

    private static final Logger log = LoggerFactory.getLogger(SocketAuthTokenListener.class);
    static final Map<String, Object> UNAUTHORIZED = Map.of("message", "unauthorized");

    private final JwtTokens tokens;
    private final RevokedTokens revokedTokens;

    public SocketAuthTokenListener(JwtTokens tokens, RevokedTokens revokedTokens) {
        this.tokens = tokens;
        this.revokedTokens = revokedTokens;
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        Optional<VerifiedToken> token = authenticate(authData, client.getHandshakeData());
        if (token.isEmpty() || revokedTokens.isRevokedLocally(token.get().hash())) {
            log.debug("socket refused sessionId={}", client.getSessionId());
            return new AuthTokenResult(false, UNAUTHORIZED);
        }
        AuthenticatedUser accepted = token.get().user();
        AuthenticatedUser current = client.get(AuthenticatedUser.SOCKET_KEY);
        if (current != null && !current.userId().equals(accepted.userId())) {
            // One socket, one user: a second CONNECT may not move it into another user's room.
            return new AuthTokenResult(false, UNAUTHORIZED);
        }
        client.set(AuthenticatedUser.SOCKET_KEY, accepted);
        client.set(VerifiedToken.SOCKET_KEY, token.get());
        client.joinRoom(accepted.userId());
        log.debug("socket accepted sessionId={} userId={}", client.getSessionId(), accepted.userId());
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    Optional<VerifiedToken> authenticate(Object authData, HandshakeData handshake) {
        if (authData instanceof Map<?, ?> auth && auth.get("token") != null) {
            return auth.get("token") instanceof String token ? tokens.verifyToken(token) : Optional.empty();
        }
        if (authData != null && !(authData instanceof Map<?, ?>)) {
            return Optional.empty();
        }
        String cookieToken = handshake == null ? null
                : TokenCookie.fromHeaders(handshake.getHttpHeaders().getAll(HttpHeaderNames.COOKIE));
        return tokens.verifyToken(cookieToken);
    }
}
