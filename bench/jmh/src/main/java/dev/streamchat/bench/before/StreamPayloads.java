package dev.streamchat.bench.before;

// The gateway's token payload before issue 8, kept only here as the "before" of the benchmarks.

import java.util.LinkedHashMap;
import java.util.Map;

/** The token payload as it was built per token: an ordered map, boxed seq. */
public final class StreamPayloads {

    private StreamPayloads() {
    }

    public static Map<String, Object> token(String sessionId, String streamId, long seq, String token) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("sessionId", sessionId);
        p.put("streamId", streamId);
        p.put("seq", seq);
        p.put("token", token);
        return p;
    }
}
