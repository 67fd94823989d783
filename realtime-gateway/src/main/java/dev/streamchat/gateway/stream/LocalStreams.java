package dev.streamchat.gateway.stream;

import org.springframework.stereotype.Component;

/** The streams this node relays, as a node-lifecycle concern (graceful shutdown): how many, and ending them. */
@Component
public class LocalStreams {

    private final ActiveStreams active;
    private final StreamRelay relay;

    LocalStreams(ActiveStreams active, StreamRelay relay) {
        this.active = active;
        this.relay = relay;
    }

    /** Streams still relayed here (including those whose final event is being written). */
    public int count() {
        return active.all().size();
    }

    /**
     * Ends every running stream with the retryable {@code unavailable} error (their clients retry on another node);
     * returns how many it ended.
     */
    public int interruptAll() {
        int ended = 0;
        for (RunningStream stream : active.all()) {
            if (stream.state.get() == RunningStream.STARTED) {
                relay.interrupt(stream);
                ended++;
            }
        }
        return ended;
    }
}
