package dev.streamchat.gateway.quota;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** What {@code GET /api/v1/quota} and the {@code quota} members show; {@code limit}/{@code resetsAt} null for pro. */
public record QuotaSnapshot(String plan, long used, long reserved, Integer limit, Instant resetsAt) {

    /** The wire form, every key present. */
    public Map<String, Object> toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("plan", plan);
        out.put("used", used);
        out.put("reserved", reserved);
        out.put("limit", limit);
        out.put("resetsAt", resetsAt == null ? null : resetsAt.toString());
        return out;
    }
}
