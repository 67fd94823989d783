package dev.streamchat.gateway.browser;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the fake ai-service answers to one request: an HTTP status, then token events with a pacing, then
 * a {@code done} (with citations) or an {@code error} event. Optionally the stream waits at a gate after a
 * given number of tokens until the test opens it.
 */
public final class AiReply {

    final int status;
    final List<String> tokens;
    final Duration pacing;
    final List<Map<String, Object>> citations;
    final String errorCode;
    final String errorMessage;
    final int gateAfterTokens;
    final CountDownLatch gate;

    private AiReply(int status, List<String> tokens, Duration pacing, List<Map<String, Object>> citations,
                    String errorCode, String errorMessage, int gateAfterTokens, CountDownLatch gate) {
        this.status = status;
        this.tokens = List.copyOf(tokens);
        this.pacing = pacing;
        this.citations = List.copyOf(citations);
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.gateAfterTokens = gateAfterTokens;
        this.gate = gate;
    }

    /** A reply made of these tokens, sent back to back, ending with done and no citations. */
    public static AiReply tokens(String... tokens) {
        return new AiReply(200, List.of(tokens), Duration.ZERO, List.of(), null, null, -1, null);
    }

    /** Splits a text into tokens of at most {@code size} characters. */
    public static AiReply text(String text, int size) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            tokens.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return tokens(tokens.toArray(String[]::new));
    }

    /** The ai-service refuses with this status before any event (e.g. 503). */
    public static AiReply status(int status) {
        return new AiReply(status, List.of(), Duration.ZERO, List.of(), null, null, -1, null);
    }

    public AiReply every(Duration pacing) {
        return new AiReply(status, tokens, pacing, citations, errorCode, errorMessage, gateAfterTokens, gate);
    }

    public AiReply citing(Map<String, Object> citation) {
        List<Map<String, Object>> all = new ArrayList<>(citations);
        all.add(citation);
        return new AiReply(status, tokens, pacing, all, errorCode, errorMessage, gateAfterTokens, gate);
    }

    /** Ends with {@code {"type":"error","code":...}} instead of done. */
    public AiReply failingWith(String code, String message) {
        return new AiReply(status, tokens, pacing, citations, code, message, gateAfterTokens, gate);
    }

    /** Waits after {@code count} tokens until {@code latch} is opened (or the client goes away). */
    public AiReply holdingAfter(int count, CountDownLatch latch) {
        return new AiReply(status, tokens, pacing, citations, errorCode, errorMessage, count, latch);
    }

    public String fullText() {
        return String.join("", tokens);
    }

    public static Map<String, Object> citation(int number, String title, int page, String quote) {
        return Map.of("number", number, "docId", "sample-doc-" + number, "title", title, "page", page, "quote", quote);
    }
}
