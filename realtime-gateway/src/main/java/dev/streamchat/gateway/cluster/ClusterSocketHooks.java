package dev.streamchat.gateway.cluster;

import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.stereotype.Component;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.SocketIONamespace;

import dev.streamchat.gateway.auth.AuthenticatedUser;

/**
 * Keeps {@link UserChannels} in step with this node's sockets: a socket that authenticated (the auth listener,
 * registered earlier, put its user on it; a refused one never reaches this listener) subscribes its user's channel,
 * and its disconnect may unsubscribe it. Registered once every bean exists, so after the authentication listener.
 */
@Component
class ClusterSocketHooks implements SmartInitializingSingleton {

    private static final String JOINED = "fanout.joined";

    private final SocketIONamespace namespace;
    private final UserChannels channels;

    ClusterSocketHooks(SocketIONamespace namespace, UserChannels channels) {
        this.namespace = namespace;
        this.channels = channels;
    }

    @Override
    public void afterSingletonsInstantiated() {
        namespace.addAuthTokenListener((authData, client) -> {
            AuthenticatedUser user = client.get(AuthenticatedUser.SOCKET_KEY);
            if (user != null && !client.has(JOINED)) {
                client.set(JOINED, user.userId());
                channels.join(user.userId());
            }
            return AuthTokenResult.AuthTokenResultSuccess;
        });
        namespace.addDisconnectListener(client -> {
            String userId = client.get(JOINED);
            if (userId != null) {
                client.del(JOINED);
                channels.leave(userId);
            }
        });
    }
}
