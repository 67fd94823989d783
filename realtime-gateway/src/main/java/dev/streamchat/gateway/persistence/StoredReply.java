package dev.streamchat.gateway.persistence;

import java.util.List;
import java.util.Map;

/** One assistant reply as it is stored (a message's current content and one entry of its {@code versions}). */
public record StoredReply(String content, List<Object> citations, List<Object> chunkReferences,
                          Map<String, Object> usage, String route, String provider, boolean stopped,
                          boolean contextTrimmed) {
}
