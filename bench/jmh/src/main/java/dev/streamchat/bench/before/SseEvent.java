package dev.streamchat.bench.before;

// The gateway's class before issue 8, kept only here as the "before" of the benchmarks.

/** One dispatched Server-Sent Event: its {@code event:} name (null when absent), last {@code id:}, and data. */
public record SseEvent(String event, String id, String data) {
}
