package dev.streamchat.gateway.socket;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.listener.DisconnectListener;

import dev.streamchat.gateway.auth.RevokedTokens;
import dev.streamchat.gateway.auth.TokenRevoked;
import dev.streamchat.gateway.auth.VerifiedToken;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;

/**
 * Ends a socket when the token it authenticated with stops being valid: at the token's {@code exp}, when this
 * node's logout revokes it ({@link TokenRevoked}), and right after CONNECT when Redis says another node revoked it.
 * The socket gets {@code socket-error {code:"unauthorized", message}}, then the server disconnects it (the official
 * client does not reconnect after a server disconnect). Registered after the authentication listeners; never blocks.
 */
class SocketCredentialWatch implements AuthTokenListener, DisconnectListener {

    private static final Logger log = LoggerFactory.getLogger(SocketCredentialWatch.class);
    private static final String EXPIRY_TIMER_KEY = "streamchat.expiryTimer";

    private final RevokedTokens revokedTokens;
    private final SocketDrops drops;
    private final Scheduler scheduler;
    private final Clock clock;
    private final Map<String, Set<SocketIOClient>> socketsByToken = new ConcurrentHashMap<>();

    SocketCredentialWatch(RevokedTokens revokedTokens, SocketDrops drops, Scheduler scheduler, Clock clock) {
        this.revokedTokens = revokedTokens;
        this.drops = drops;
        this.scheduler = scheduler;
        this.clock = clock;
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        VerifiedToken token = client.get(VerifiedToken.SOCKET_KEY);
        if (token == null || client.get(EXPIRY_TIMER_KEY) != null) {
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        socketsByToken.computeIfAbsent(token.hash(), hash -> ConcurrentHashMap.newKeySet()).add(client);
        long delayMs = Math.max(0, Duration.between(clock.instant(), token.expiresAt()).toMillis());
        Disposable timer = scheduler.schedule(() -> end(client, "The token has expired."), delayMs, TimeUnit.MILLISECONDS);
        client.set(EXPIRY_TIMER_KEY, timer);
        // Another node's logout is only in Redis: check it once, without holding up the CONNECT.
        revokedTokens.isRevoked(token.hash()).subscribe(revoked -> {
            if (revoked) {
                end(client, "This token was signed out.");
            }
        }, error -> log.debug("revocation check failed error={}", error.toString()));
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    @EventListener
    public void onTokenRevoked(TokenRevoked revoked) {
        Set<SocketIOClient> sockets = socketsByToken.get(revoked.tokenHash());
        if (sockets != null) {
            sockets.forEach(client -> end(client, "This token was signed out."));
        }
    }

    @Override
    public void onDisconnect(SocketIOClient client) {
        Disposable timer = client.get(EXPIRY_TIMER_KEY);
        if (timer != null) {
            timer.dispose();
        }
        VerifiedToken token = client.get(VerifiedToken.SOCKET_KEY);
        if (token != null) {
            socketsByToken.computeIfPresent(token.hash(), (hash, sockets) -> {
                sockets.remove(client);
                return sockets.isEmpty() ? null : sockets;
            });
        }
    }

    private void end(SocketIOClient client, String message) {
        log.info("socket signed out sessionId={} reason={}", client.getSessionId(), message);
        drops.drop(client, ErrorCode.UNAUTHORIZED, message);
    }
}
