package dev.streamchat.gateway.cluster;

import tools.jackson.databind.JsonNode;

/** Receives the fan-out frames of one kind that another node published to a user's channel. */
@FunctionalInterface
public interface FrameListener {

    /** Runs on a Redis client thread: must not block. */
    void onFrame(String userId, JsonNode frame);
}
