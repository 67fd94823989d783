package dev.streamchat.gateway.socket;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.corundumstudio.socketio.AuthTokenListener;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.listener.DisconnectListener;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.VerifiedToken;
import dev.streamchat.gateway.error.ErrorCode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * At most {@code SOCKET_MAX_PER_USER} sockets per user, across every node. Runs after the authentication listener
 * (which has joined the socket to its user's room), on the netty event loop, so it cannot wait for Redis:
 * <ol>
 * <li>At once, this node's own count: a CONNECT over the cap here is undone and refused with the CONNECT_ERROR
 * {@code {"message":"too_many_sockets","data":{"code":"too_many_sockets","limit":N}}}, which the official client
 * surfaces as {@code connect_error} ({@code err.message}, {@code err.data}) and does not retry by itself.</li>
 * <li>Then, without holding up the CONNECT, the cluster-wide count ({@link SocketCounts}, one Redis script): a
 * socket that makes the user's sockets on all nodes together pass the cap gets {@code socket-error
 * {code:"too_many_sockets"}} and is disconnected (the client does not reconnect after a server disconnect). When
 * Redis cannot say, the socket stays (fail-open; the per-node cap still holds).</li>
 * </ol>
 * A disconnect uncounts a counted socket (also one that left before Redis answered).
 */
class SocketsPerUserCap implements AuthTokenListener, DisconnectListener {

    static final String CODE = "too_many_sockets";
    private static final String COUNT_STATE = "streamchat.clusterCount";
    private static final int PENDING = 0;
    private static final int COUNTED = 1;
    private static final int GONE = 2;
    private static final Logger log = LoggerFactory.getLogger(SocketsPerUserCap.class);

    private final SocketIONamespace namespace;
    private final int maxPerUser;
    private final SocketCounts counts;
    private final SocketDrops drops;
    private final Counter refused;
    private final Counter refusedAcrossNodes;

    SocketsPerUserCap(SocketIONamespace namespace, int maxPerUser, SocketCounts counts, SocketDrops drops,
                      MeterRegistry registry) {
        this.namespace = namespace;
        this.maxPerUser = maxPerUser;
        this.counts = counts;
        this.drops = drops;
        this.refused = Counter.builder("gateway.socket.refused").tag("reason", CODE)
                .description("CONNECTs refused because the user has too many sockets").register(registry);
        this.refusedAcrossNodes = Counter.builder("gateway.socket.refused").tag("reason", CODE + "_cluster")
                .description("Sockets dropped because the user has too many sockets on all nodes together")
                .register(registry);
    }

    @Override
    public AuthTokenResult getAuthTokenResult(Object authData, SocketIOClient client) {
        AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
        if (user == null || client.has(COUNT_STATE)) {
            return AuthTokenResult.AuthTokenResultSuccess;
        }
        int sockets = namespace.getRoomOperations(user.userId()).getClients().size();
        if (sockets > maxPerUser) {
            client.leaveRoom(user.userId());
            client.del(AuthenticatedUser.SOCKET_KEY);
            client.del(VerifiedToken.SOCKET_KEY);
            refused.increment();
            log.info("socket refused sessionId={} userId={} reason={} limit={}", client.getSessionId(), user.userId(), CODE, maxPerUser);
            return new AuthTokenResult(false, Map.of("message", CODE, "data", Map.of("code", CODE, "limit", maxPerUser)));
        }
        if (counts != null) {
            countAcrossNodes(client, user.userId());
        }
        return AuthTokenResult.AuthTokenResultSuccess;
    }

    private void countAcrossNodes(SocketIOClient client, String userId) {
        AtomicInteger state = new AtomicInteger(PENDING);
        client.set(COUNT_STATE, state);
        counts.add(userId, maxPerUser).subscribe(counted -> {
            if (!counted) {
                refusedAcrossNodes.increment();
                log.info("socket dropped sessionId={} userId={} reason={} limit={}", client.getSessionId(), userId,
                        CODE, maxPerUser);
                drops.dropAfterConnect(client, ErrorCode.TOO_MANY_SOCKETS,
                        "This user already has " + maxPerUser + " sockets open on all servers together.");
            } else if (!state.compareAndSet(PENDING, COUNTED)) {
                counts.remove(userId); // it left before Redis answered
            }
        }, error -> log.debug("cluster socket count skipped (Redis unavailable) userId={} error={}", userId,
                error.toString()));
    }

    @Override
    public void onDisconnect(SocketIOClient client) {
        AtomicInteger state = client.get(COUNT_STATE);
        AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
        if (state == null || user == null) {
            return;
        }
        if (state.getAndSet(GONE) == COUNTED) {
            counts.remove(user.userId());
        }
    }
}
