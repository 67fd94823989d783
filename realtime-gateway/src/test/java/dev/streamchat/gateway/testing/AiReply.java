package dev.streamchat.gateway.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * What the {@link FakeAiService} answers to one request: an HTTP status, then token events with a pacing, then how
 * the stream ends ({@code done} with citations, an {@code error} event, a dropped connection, or silence).
 * Optionally the stream waits at a gate after a given number of tokens until the test opens it. Immutable.
 */
public final class AiReply {

    /** How a stream ends after its tokens. */
    public enum Fault {
        /** A {@code done} event. */
        NONE,
        /** An {@code error} event ({@code upstream_error}). */
        ERROR_EVENT,
        /** The connection closes without a final event. */
        DROP,
        /** Nothing more is said (a comment every 3 s, so a client that left is noticed). */
        STALL,
        /** A refusal before any event: see {@link #status(int)}. */
        STATUS
    }

    final int status;
    final List<String> tokens;
    final Duration pacing;
    final List<Map<String, Object>> citations;
    final Fault fault;
    final String errorCode;
    final String errorMessage;
    final int gateAfterTokens;
    final CountDownLatch gate;
    /** Deep Research progress events, by the index of the token they precede ({@code tokens.size()}: after the last). */
    final Map<Integer, List<Map<String, Object>>> progress;
    /** Blocking route only: the status waits for this latch, then the body for {@link #bodyGate}. */
    CountDownLatch statusGate = new CountDownLatch(0);
    CountDownLatch bodyGate = new CountDownLatch(0);

    private AiReply(int status, List<String> tokens, Duration pacing, List<Map<String, Object>> citations, Fault fault,
                    String errorCode, String errorMessage, int gateAfterTokens, CountDownLatch gate,
                    Map<Integer, List<Map<String, Object>>> progress) {
        this.status = status;
        this.tokens = List.copyOf(tokens);
        this.pacing = pacing;
        this.citations = List.copyOf(citations);
        this.fault = fault;
        this.errorCode = errorCode;
        this.errorMessage = errorMessage;
        this.gateAfterTokens = gateAfterTokens;
        this.gate = gate;
        this.progress = Map.copyOf(progress);
    }

    /** A reply made of these tokens, sent back to back, ending with done and no citations. */
    public static AiReply tokens(String... tokens) {
        return answer(List.of(tokens)).every(Duration.ZERO);
    }

    /** Splits a text into tokens of at most {@code size} characters. */
    public static AiReply text(String text, int size) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < text.length(); i += size) {
            tokens.add(text.substring(i, Math.min(text.length(), i + size)));
        }
        return tokens(tokens.toArray(String[]::new));
    }

    /** These tokens 2 ms apart, then done. */
    public static AiReply answer(List<String> tokens) {
        return new AiReply(200, tokens, Duration.ofMillis(2), List.of(), Fault.NONE, null, null, -1, null, Map.of());
    }

    /** These tokens {@code pacing} apart, then done. */
    public static AiReply slow(List<String> tokens, Duration pacing) {
        return answer(tokens).every(pacing);
    }

    /** These tokens, then the fault instead of done. */
    public static AiReply fault(Fault fault, List<String> tokensBefore) {
        AiReply reply = answer(tokensBefore);
        return fault == Fault.ERROR_EVENT ? reply.failingWith("upstream_error", "model failed") : reply.with(fault);
    }

    /** The ai-service refuses with this status before any event (e.g. 503). */
    public static AiReply status(int status) {
        return new AiReply(status, List.of(), Duration.ZERO, List.of(), Fault.STATUS, null, null, -1, null, Map.of());
    }

    public AiReply every(Duration pacing) {
        return new AiReply(status, tokens, pacing, citations, fault, errorCode, errorMessage, gateAfterTokens, gate, progress);
    }

    public AiReply citing(Map<String, Object> citation) {
        List<Map<String, Object>> all = new ArrayList<>(citations);
        all.add(citation);
        return new AiReply(status, tokens, pacing, all, fault, errorCode, errorMessage, gateAfterTokens, gate, progress);
    }

    /** Ends with {@code {"type":"error","code":...}} instead of done. */
    public AiReply failingWith(String code, String message) {
        return new AiReply(status, tokens, pacing, citations, Fault.ERROR_EVENT, code, message, gateAfterTokens, gate, progress);
    }

    private AiReply with(Fault ending) {
        return new AiReply(status, tokens, pacing, citations, ending, errorCode, errorMessage, gateAfterTokens, gate, progress);
    }

    /** Waits after {@code count} tokens until {@code latch} is opened (or the client goes away). */
    public AiReply holdingAfter(int count, CountDownLatch latch) {
        return new AiReply(status, tokens, pacing, citations, fault, errorCode, errorMessage, count, latch, progress);
    }

    /**
     * Blocking route ({@code ENABLE_STREAMING=false}): the status and headers wait for {@code status}, then the
     * body for {@code body} (each 15 s at most, so nothing hangs).
     */
    public AiReply holdingBlockingAnswer(CountDownLatch status, CountDownLatch body) {
        AiReply copy = new AiReply(this.status, tokens, pacing, citations, fault, errorCode, errorMessage,
                gateAfterTokens, gate, progress);
        copy.statusGate = status;
        copy.bodyGate = body;
        return copy;
    }

    /**
     * Adds a Deep Research {@code {"type":"progress",...}} event before token {@code beforeToken} (0 = before the first,
     * the token count = after the last).
     */
    public AiReply withProgress(int beforeToken, int iteration, int of, String phase, String title) {
        Map<Integer, List<Map<String, Object>>> all = new java.util.HashMap<>(progress);
        List<Map<String, Object>> here = new ArrayList<>(all.getOrDefault(beforeToken, List.of()));
        Map<String, Object> event = new java.util.LinkedHashMap<>();
        event.put("type", "progress");
        event.put("iteration", iteration);
        event.put("of", of);
        event.put("phase", phase);
        event.put("title", title);
        here.add(event);
        all.put(beforeToken, here);
        return new AiReply(status, tokens, pacing, citations, fault, errorCode, errorMessage, gateAfterTokens, gate, all);
    }

    public List<String> tokenList() {
        return tokens;
    }

    public String fullText() {
        return String.join("", tokens);
    }

    public static Map<String, Object> citation(int number, String title, int page, String quote) {
        return Map.of("number", number, "docId", "sample-doc-" + number, "title", title, "page", page, "quote", quote);
    }
}
