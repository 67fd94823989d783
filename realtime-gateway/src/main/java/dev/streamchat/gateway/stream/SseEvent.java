package dev.streamchat.gateway.stream;

/** One dispatched Server-Sent Event: its {@code event:} name (null when absent), last {@code id:}, and data. */
public record SseEvent(String event, String id, String data) {
}
