package dev.streamchat.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.HandshakeData;
import com.corundumstudio.socketio.SocketIOClient;

import io.netty.handler.codec.http.DefaultHttpHeaders;

class SocketAuthTokenListenerTests {

    private final JwtTokens tokens = new JwtTokens("0123456789abcdef0123456789abcdef", Duration.ofHours(1), Clock.systemUTC());
    private final SocketAuthTokenListener listener = new SocketAuthTokenListener(tokens, mock(RevokedTokens.class));

    private static SocketIOClient client(String cookieHeader) {
        SocketIOClient client = mock(SocketIOClient.class);
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        if (cookieHeader != null) {
            headers.add("Cookie", cookieHeader);
        }
        HandshakeData handshake = mock(HandshakeData.class);
        when(handshake.getHttpHeaders()).thenReturn(headers);
        when(client.getHandshakeData()).thenReturn(handshake);
        return client;
    }

    @Test
    void joinsOnlyTheUsersRoomAndRemembersTheUser() {
        SocketIOClient client = client(null);
        AuthTokenResult result = listener.getAuthTokenResult(Map.of("token", tokens.issue("alice", "pro")), client);
        assertThat(result.isSuccess()).isTrue();
        verify(client).joinRoom("alice");
        verify(client).set(AuthenticatedUser.SOCKET_KEY, new AuthenticatedUser("alice", "pro"));
    }

    @Test
    void fallsBackToTheCookieOnlyWithoutAnAuthToken() {
        String cookie = "token=" + tokens.issue("bob", "free");
        assertThat(listener.getAuthTokenResult(Map.of(), client(cookie)).isSuccess()).isTrue();
        assertThat(listener.getAuthTokenResult(Map.of("other", 1), client(cookie)).isSuccess()).isTrue();
        assertThat(listener.getAuthTokenResult(Map.of("token", "bad"), client(cookie)).isSuccess()).isFalse();
        assertThat(listener.getAuthTokenResult(Map.of("token", 42), client(cookie)).isSuccess()).isFalse();
        assertThat(listener.getAuthTokenResult("token", client(cookie)).isSuccess()).isFalse();
    }

    @Test
    void refusesWithAMessageMapThatClientsSurfaceAsUnauthorized() {
        AuthTokenResult refused = listener.getAuthTokenResult(Map.of(), client(null));
        assertThat(refused.isSuccess()).isFalse();
        assertThat(refused.getErrorData()).isEqualTo(Map.of("message", "unauthorized"));
    }

    @Test
    void aSecondConnectCannotMoveASocketToAnotherUser() {
        SocketIOClient client = client(null);
        when(client.get(AuthenticatedUser.SOCKET_KEY)).thenReturn(new AuthenticatedUser("alice", "free"));
        AuthTokenResult result = listener.getAuthTokenResult(Map.of("token", tokens.issue("bob", "free")), client);
        assertThat(result.isSuccess()).isFalse();
        verify(client, never()).joinRoom(any());
    }
}
