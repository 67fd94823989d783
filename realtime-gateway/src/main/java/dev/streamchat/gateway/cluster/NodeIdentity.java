package dev.streamchat.gateway.cluster;

import java.util.UUID;

import org.springframework.stereotype.Component;

/**
 * This gateway process among the nodes sharing Redis: a random id per start, carried by every fan-out frame it
 * publishes so that it can skip its own echoes (it already delivered them to its own sockets).
 */
@Component
public class NodeIdentity {

    private final String id = "n" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    public String id() {
        return id;
    }
}
