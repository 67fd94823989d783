package dev.streamchat.gateway.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import reactor.core.Disposable;
import reactor.core.publisher.Sinks;

/**
 * The mutable state of one stream relayed by this node. Token handling and the switch to a terminal state
 * synchronise on this object, so no token is relayed (or added to the reply) after the stream started to
 * finish, and the saved reply equals the tokens relayed. The resume batch is also guarded by this object;
 * the flusher takes it off the token path.
 */
final class RunningStream {

    static final int PENDING = 0;
    static final int STARTED = 1;
    static final int FINISHING = 2;
    static final int ABORTED = 3;

    final StreamSpec spec;
    /** Guarded by this, like seq. */
    final TokenEncoder tokens;
    final long startNanos = System.nanoTime();
    final AtomicInteger state = new AtomicInteger(PENDING);
    final Sinks.Empty<Void> accepted = Sinks.empty();
    final Sinks.Empty<Void> finalFlushed = Sinks.empty();

    // Guarded by this.
    /** The last seq given out: tokens and progress events share it. */
    long seq;
    /** Tokens relayed (seq minus the progress events). */
    long tokenCount;
    final StringBuilder reply = new StringBuilder();
    long firstTokenNanos;
    /** Not yet in the resume log, from seq {@code pendingFirstSeq}: token texts and {@link LoggedItems.Progress}es. */
    private List<Object> pendingTokens = new ArrayList<>();
    private long pendingFirstSeq = 1;
    private String finalEntry;
    private String finalStatus;
    private boolean finalSuccess;
    private boolean finalTaken;

    // Written by the flusher thread, and by the Redis I/O thread when a flush answers.
    volatile boolean flushInFlight;
    volatile long lastFlushMillis;
    volatile long lastRefreshMillis;
    /** What every resume-log flush of this stream sends alike (built once, by the flusher). */
    StreamStore.FlushTarget flushTarget;
    /** chat-stream-start went out to other nodes (with the first flush after the ai-service accepted). */
    volatile boolean startAnnounced;
    /** The last flush found another node listening to the user's channel: it delivers these tokens from the flushes. */
    volatile boolean othersListen;
    /** A resume of this stream ran on this node: it reads the tokens not yet logged from the next flushes. */
    volatile boolean resumedHere;

    volatile Disposable upstream;
    volatile Disposable overallTimer;
    volatile boolean terminalSeen;

    RunningStream(StreamSpec spec) {
        this.spec = spec;
        this.tokens = new TokenEncoder(spec.sessionId(), spec.streamId());
    }

    /** Adds a relayed token (a String) or progress event (a {@link LoggedItems.Progress}) to the resume batch, at {@link #seq}. Caller holds the lock. */
    void bufferItem(Object token) {
        if (pendingTokens.isEmpty()) {
            pendingFirstSeq = seq;
        }
        pendingTokens.add(token);
    }

    /** Marks the final event (JSON) for the resume log; the flusher writes it after every token. */
    synchronized void setFinal(String entryJson, String status, boolean success) {
        this.finalEntry = entryJson;
        this.finalStatus = status;
        this.finalSuccess = success;
    }

    /** Takes what the flusher must write now (maybe nothing). */
    synchronized Batch takeBatch() {
        List<Object> tokens = pendingTokens;
        long first = pendingFirstSeq;
        pendingTokens = new ArrayList<>();
        String fin = null;
        if (finalEntry != null && !finalTaken) {
            finalTaken = true;
            fin = finalEntry;
        }
        return new Batch(tokens, first, tokens.isEmpty() ? seq : first + tokens.size() - 1, seq, fin, finalStatus, finalSuccess);
    }

    /** Puts back a batch Redis did not take, ahead of what arrived since. */
    synchronized void restore(Batch batch) {
        if (!batch.tokens().isEmpty()) {
            List<Object> merged = new ArrayList<>(batch.tokens());
            merged.addAll(pendingTokens);
            pendingTokens = merged;
            pendingFirstSeq = batch.firstSeq();
        }
        if (batch.finalEntry() != null) {
            finalTaken = false;
        }
    }

    synchronized boolean hasTokens() {
        return !pendingTokens.isEmpty();
    }

    synchronized boolean finalPending() {
        return finalEntry != null && !finalTaken;
    }

    /** Someone reads this stream's tokens from the log's flushes while it runs: they go every tick, not in batches. */
    boolean flushEveryTick() {
        return othersListen || resumedHere;
    }

    synchronized String replyText() {
        return reply.toString();
    }

    synchronized long tokenCount() {
        return tokenCount;
    }

    /**
     * One flush: the items (tokens and progress events, see {@link LoggedItems}) of seq {@code firstSeq..lastSeq}, and
     * perhaps the final entry (written after them).
     */
    record Batch(List<Object> tokens, long firstSeq, long lastSeq, long topSeq, String finalEntry, String finalStatus,
                 boolean finalSuccess) {
    }

    Map<String, Object> describe() {
        return Map.of("streamId", spec.streamId(), "sessionId", spec.sessionId());
    }
}
