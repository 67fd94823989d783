package dev.streamchat.gateway.persistence;

import java.util.List;
import java.util.Map;

/**
 * One assistant reply as it is stored (a message's current content and one entry of its {@code versions}).
 * {@code provider} and {@code model} say what wrote it (contract section 6): {@code openai} and {@code gpt-4o-mini},
 * or {@code local} and null; both null when unknown (a reply stopped before any model answered for a default request).
 */
public record StoredReply(String content, List<Object> citations, List<Object> chunkReferences,
                          Map<String, Object> usage, String route, String provider, String model, boolean stopped,
                          boolean contextTrimmed) {

    /** A reply without a model name. */
    public StoredReply(String content, List<Object> citations, List<Object> chunkReferences,
                       Map<String, Object> usage, String route, String provider, boolean stopped,
                       boolean contextTrimmed) {
        this(content, citations, chunkReferences, usage, route, provider, null, stopped, contextTrimmed);
    }
}
