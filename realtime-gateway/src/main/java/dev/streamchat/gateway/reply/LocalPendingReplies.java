package dev.streamchat.gateway.reply;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Replies that neither MongoDB nor Redis took (both down at the end of the stream), kept in this node's memory until
 * one of them is back: bounded ({@value #MAX}); they are lost only if this node also stops before that.
 */
@Component
class LocalPendingReplies {

    private static final Logger log = LoggerFactory.getLogger(LocalPendingReplies.class);
    static final int MAX = 10_000;

    private final Map<String, PendingReply> replies = new LinkedHashMap<>();

    LocalPendingReplies(MeterRegistry meters) {
        Gauge.builder("gateway.persistence.pending.local", this, LocalPendingReplies::size)
                .description("Replies waiting in this node's memory for MongoDB or Redis").register(meters);
    }

    synchronized void add(PendingReply reply) {
        if (replies.size() >= MAX && !replies.containsKey(reply.streamId())) {
            log.error("pending reply dropped, {} already wait in memory streamId={}", MAX, reply.streamId());
            return;
        }
        replies.put(reply.streamId(), reply);
    }

    synchronized List<PendingReply> snapshot() {
        return new ArrayList<>(replies.values());
    }

    synchronized void remove(String streamId) {
        replies.remove(streamId);
    }

    synchronized int size() {
        return replies.size();
    }
}
