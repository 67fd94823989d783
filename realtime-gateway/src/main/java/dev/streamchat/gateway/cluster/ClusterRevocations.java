package dev.streamchat.gateway.cluster;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.auth.TokenRevoked;

/**
 * A logout on one node ends that token's sockets on every node: the local {@link TokenRevoked} is published (the
 * token's hash only) to the user's fan-out channel, which reaches exactly the nodes holding a socket of that user,
 * and each of them publishes it again as a local event marked {@code fromOtherNode} (never sent on again). A node
 * whose subscription is down at that moment misses it; its sockets are still refused at their next CONNECT (the
 * denylist is in Redis). Never blocks.
 */
@Component
class ClusterRevocations {

    private static final Logger log = LoggerFactory.getLogger(ClusterRevocations.class);
    static final String KIND = "r";

    private final UserChannels channels;

    ClusterRevocations(UserChannels channels, ApplicationEventPublisher events) {
        this.channels = channels;
        channels.onFrame(KIND, (userId, frame) -> {
            String hash = frame.path("h").asString("");
            if (!hash.isEmpty()) {
                events.publishEvent(new TokenRevoked(userId, hash, true));
            }
        });
    }

    @EventListener
    public void onTokenRevoked(TokenRevoked revoked) {
        if (revoked.fromOtherNode()) {
            return;
        }
        channels.publish(revoked.userId(), KIND, Map.of("h", revoked.tokenHash()))
                .subscribe(n -> { }, error -> log.warn("logout not sent to other nodes error={}", error.toString()));
    }
}
