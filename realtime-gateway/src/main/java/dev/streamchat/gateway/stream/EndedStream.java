package dev.streamchat.gateway.stream;

import java.util.concurrent.TimeUnit;

import dev.streamchat.gateway.socket.StreamPayloads;

/**
 * What the relay hands to {@link StreamEndings} when a stream ends: its spec, the reply exactly as relayed (the
 * tokens sent, capped), how many tokens, and its timing so far.
 */
public final class EndedStream {

    private final StreamSpec spec;
    private final String reply;
    private final long tokens;
    private final long startNanos;
    private final long firstTokenNanos;

    EndedStream(StreamSpec spec, String reply, long tokens, long startNanos, long firstTokenNanos) {
        this.spec = spec;
        this.reply = reply;
        this.tokens = tokens;
        this.startNanos = startNanos;
        this.firstTokenNanos = firstTokenNanos;
    }

    public StreamSpec spec() {
        return spec;
    }

    public String reply() {
        return reply;
    }

    public long tokens() {
        return tokens;
    }

    /** The {@code timing} of {@code chat-stream-complete}, measured now (after the save). */
    public StreamPayloads.Timing timingNow() {
        long now = System.nanoTime();
        long durationMs = TimeUnit.NANOSECONDS.toMillis(now - startNanos);
        Long firstTokenMs = firstTokenNanos == 0 ? null : TimeUnit.NANOSECONDS.toMillis(firstTokenNanos - startNanos);
        double tokensPerSecond = 0;
        if (firstTokenNanos != 0) {
            double seconds = (now - firstTokenNanos) / 1e9;
            tokensPerSecond = seconds > 0 ? Math.round(tokens / seconds * 10) / 10.0 : tokens;
        }
        return new StreamPayloads.Timing(firstTokenMs, durationMs, tokensPerSecond);
    }
}
