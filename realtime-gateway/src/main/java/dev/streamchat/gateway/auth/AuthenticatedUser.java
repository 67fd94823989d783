package dev.streamchat.gateway.auth;

/**
 * Who a request or a socket belongs to: the JWT's {@code sub} and the plan stored in {@code users}
 * (the plan in force, contract section 2).
 */
public record AuthenticatedUser(String userId, String plan) {

    /** The exchange attribute under which the REST filter puts the caller. */
    public static final String EXCHANGE_ATTRIBUTE = AuthenticatedUser.class.getName();

    /** The key under which a socket's user is kept ({@code client.get(SOCKET_KEY)}). */
    public static final String SOCKET_KEY = "user";

    public boolean isFree() {
        return "free".equals(plan);
    }
}
