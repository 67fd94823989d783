package dev.streamchat.gateway.stream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

import io.lettuce.core.StreamMessage;

import org.springframework.stereotype.Component;

import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.cluster.UserChannels;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.socket.SocketEvents;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stop and resume from any node. Ownership is checked against the meta hash in Redis (a foreign stream
 * looks exactly like an unknown one). Stop cancels directly when this node relays the stream, else sets the
 * durable stop flag the owner reads within one flush. Resume replays the Redis log from {@code afterSeq},
 * then (for a stream this node relays) the tokens not yet flushed, then the final event if the stream ended.
 */
@Component
class RedisStreamCommands implements StreamCommands {

    private static final TypeReference<Map<String, Object>> ENTRY = new TypeReference<>() { };

    private final StreamStore store;
    private final ActiveStreams active;
    private final StreamRelay relay;
    private final StreamProperties properties;
    private final JsonMapper json;
    private final UserChannels channels;

    RedisStreamCommands(StreamStore store, ActiveStreams active, StreamRelay relay, StreamProperties properties,
                        JsonMapper json, UserChannels channels) {
        this.channels = channels;
        this.store = store;
        this.active = active;
        this.relay = relay;
        this.properties = properties;
        this.json = json;
    }

    @Override
    public Mono<StopResult> stop(String userId, String streamId) {
        RunningStream local = active.get(streamId);
        if (local != null && local.spec.userId().equals(userId)) {
            return Mono.just(relay.stop(local) ? StopResult.STOPPING : StopResult.ALREADY_FINISHED);
        }
        return store.requestStop(userId, streamId)
                .map(result -> result == 1L ? StopResult.STOPPING
                        : result == 0L ? StopResult.ALREADY_FINISHED : StopResult.NOT_FOUND)
                .defaultIfEmpty(StopResult.NOT_FOUND)
                .onErrorMap(e -> new ApiException(ErrorCode.UNAVAILABLE, "Stream state is unavailable.",
                        Duration.ofSeconds(2), Map.of()));
    }

    @Override
    public Mono<ResumeStatus> resume(String userId, String streamId, long afterSeq, Consumer<ResumeStatus> ackFirst,
                                     BiConsumer<String, Object> sendToSocket) {
        // Subscribed before the log is read: whatever the owner appends later also reaches this node live, so the
        // replay and the live frames (held by the socket's resume gate) together miss nothing.
        return channels.ready(userId).then(store.meta(streamId))
                .filter(meta -> userId.equals(meta.get("uid")))
                .flatMap(meta -> {
                    RunningStream local = active.get(streamId);
                    if (local != null) {
                        local.resumedHere = true; // its tokens not yet logged go with the next tick, before catchUp
                    }
                    ResumeStatus status = statusOf(meta.get("status"));
                    ackFirst.accept(status);
                    // One encoder per replay, used in sequence: replayed tokens are byte-identical to live ones.
                    TokenEncoder encoder = new TokenEncoder(meta.get("sess"), streamId);
                    long[] lastSent = {Math.max(0, afterSeq)};
                    boolean[] finalSent = {false};
                    return replayFromLog(streamId, encoder, lastSent, finalSent, sendToSocket)
                            .then(Mono.defer(() -> catchUp(streamId, encoder, lastSent, finalSent, sendToSocket)))
                            .thenReturn(status);
                })
                .switchIfEmpty(Mono.fromSupplier(() -> {
                    ackFirst.accept(ResumeStatus.UNKNOWN);
                    return ResumeStatus.UNKNOWN;
                }));
    }

    /**
     * After the log: the log lags the live stream by at most one flush (a stream resumed on its own node flushes every
     * tick from then on, see {@link RunningStream#resumedHere}), so a running stream's log is read once more after three
     * flush intervals; events emitted just before this socket joined the room are then not lost.
     */
    private Mono<Void> catchUp(String streamId, TokenEncoder encoder, long[] lastSent, boolean[] finalSent,
                               BiConsumer<String, Object> send) {
        if (finalSent[0]) {
            return Mono.empty();
        }
        return Mono.delay(properties.flushInterval().multipliedBy(3))
                .then(Mono.defer(() -> replayFromLog(streamId, encoder, lastSent, finalSent, send)));
    }

    private Mono<Void> replayFromLog(String streamId, TokenEncoder encoder, long[] lastSent, boolean[] finalSent,
                                     BiConsumer<String, Object> send) {
        return store.entriesFrom(streamId, lastSent[0] + 1)
                .concatMap(entry -> {
                    replay(entry, streamId, encoder, lastSent, finalSent, send);
                    return Flux.empty();
                })
                .then();
    }

    private void replay(StreamMessage<String, String> entry, String streamId, TokenEncoder encoder, long[] lastSent,
                        boolean[] finalSent, BiConsumer<String, Object> send) {
        Map<String, String> body = entry.getBody();
        if ("tok".equals(body.get("t"))) {
            LoggedItems.forEach(json.readTree(body.get("d")), Long.parseLong(body.get("s")), encoder,
                    (seq, event, payload) -> {
                        if (seq > lastSent[0]) {
                            send.accept(event, payload);
                            lastSent[0] = seq;
                        }
                    });
        } else if ("end".equals(body.get("t")) && !finalSent[0]) {
            Map<String, Object> fin = json.readValue(body.get("d"), ENTRY);
            finalSent[0] = true;
            send.accept((String) fin.get("event"), fin.get("payload"));
        }
    }

    private static ResumeStatus statusOf(String status) {
        if (status == null) {
            return ResumeStatus.UNKNOWN;
        }
        return switch (status) {
            case "running" -> ResumeStatus.RUNNING;
            case "complete", "stopped" -> ResumeStatus.COMPLETE;
            case "error" -> ResumeStatus.ERROR;
            default -> ResumeStatus.UNKNOWN;
        };
    }
}
