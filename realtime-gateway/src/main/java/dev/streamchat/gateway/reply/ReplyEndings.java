package dev.streamchat.gateway.reply;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.model.ModelOption;
import dev.streamchat.gateway.persistence.StoredReply;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.quota.QuotaSnapshot;
import dev.streamchat.gateway.socket.StreamPayloads;
import dev.streamchat.gateway.stream.AiStreamEvent;
import dev.streamchat.gateway.stream.EndedStream;
import dev.streamchat.gateway.stream.FinalEvent;
import dev.streamchat.gateway.stream.StreamEndings;
import dev.streamchat.gateway.stream.StreamSpec;
import reactor.core.publisher.Mono;

/**
 * The one place where a stream's ending is settled: a completed reply is written once to MongoDB and counted
 * against the quota, a stopped one is written flagged and not counted (both through {@link ReplySaver}: never lost,
 * never twice), a failed one writes nothing and gives the reservation back. Then it names the final event
 * ({@code chat-stream-complete} with {@code persisted}). A session deleted meanwhile gets nothing written; a version
 * whose message is gone becomes {@code chat-stream-error}.
 */
@Component
class ReplyEndings implements StreamEndings {

    private static final Logger log = LoggerFactory.getLogger(ReplyEndings.class);

    private final ReplySaver saver;
    private final FreeTierQuota quota;

    ReplyEndings(ReplySaver saver, FreeTierQuota quota) {
        this.saver = saver;
        this.quota = quota;
    }

    @Override
    public Mono<FinalEvent> completed(EndedStream stream, AiStreamEvent.Done done) {
        ModelOption requested = requestedModel(stream.spec());
        // What the ai-service says wrote it; an ai-service that does not say falls back on what was asked for.
        String provider = done.provider() != null ? done.provider() : requested == null ? null : requested.provider();
        String model = done.provider() != null ? done.model() : requested == null ? null : requested.model();
        StoredReply reply = new StoredReply(stream.reply(), done.citations(), done.chunkReferences(), done.usage(),
                done.route(), provider, model, false, done.contextTrimmed());
        return save(stream.spec(), reply, true)
                .map(saved -> FinalEvent.completed(completed(stream, reply, saved), "complete"))
                .onErrorResume(error -> error instanceof ReplySaver.SessionDeleted
                        ? chargeDeletedAnswer(stream, reply) : afterSaveFailure(stream, error));
    }

    /**
     * The whole answer reached the user but its session was deleted before the save (a delete racing the end, or
     * one that came while the stream was still waiting for the ai-service's status): nothing is written, but the
     * answer counts like any completed reply, so deleting a session can never buy a free answer. The charge takes
     * the one exactly-once path of every charge ({@link ReplySaver}: kept in Redis and replayed while MongoDB is
     * down, idempotent by stream id), never a direct commit that a MongoDB blip would turn into a release.
     */
    private Mono<FinalEvent> chargeDeletedAnswer(EndedStream stream, StoredReply reply) {
        StreamSpec spec = stream.spec();
        return saver.save(pending(spec, reply, true).chargeOnlyCopy())
                .onErrorResume(error -> Mono.empty())
                .then(Mono.fromSupplier(() -> FinalEvent.failed(StreamPayloads.Failed.of(spec.sessionId(),
                        spec.streamId(), ErrorCode.INTERNAL, "The session was deleted."), "stopped")));
    }

    @Override
    public Mono<FinalEvent> stopped(EndedStream stream) {
        // No done came: the model asked for is the best record of what wrote the partial reply (unknown for a
        // request of the default model).
        ModelOption requested = requestedModel(stream.spec());
        StoredReply reply = new StoredReply(stream.reply(), List.of(), List.of(), null, null,
                requested == null ? null : requested.provider(), requested == null ? null : requested.model(), true, false);
        return save(stream.spec(), reply, false)
                .map(saved -> FinalEvent.completed(completed(stream, reply, saved), "stopped"))
                .onErrorResume(error -> afterSaveFailure(stream, error));
    }

    @Override
    public Mono<FinalEvent> failed(EndedStream stream, ErrorCode code, String message, String outcome) {
        StreamSpec spec = stream.spec();
        return release(spec).then(Mono.fromSupplier(() -> FinalEvent.failed(
                StreamPayloads.Failed.of(spec.sessionId(), spec.streamId(), code, message), outcome)));
    }

    private Mono<FinalEvent> afterSaveFailure(EndedStream stream, Throwable error) {
        if (error instanceof ReplySaver.SessionDeleted) {
            return failed(stream, ErrorCode.INTERNAL, "The session was deleted.", "stopped");
        }
        log.warn("stream save failed sessionId={} streamId={} error={}", stream.spec().sessionId(),
                stream.spec().streamId(), error.getClass().getSimpleName());
        return failed(stream, ErrorCode.UNAVAILABLE, "The reply could not be saved.", "error");
    }

    private static ModelOption requestedModel(StreamSpec spec) {
        String id = spec.aiRequest() == null ? null : spec.aiRequest().model();
        return id == null ? null : ModelOption.ofId(id);
    }

    private Mono<Void> release(StreamSpec spec) {
        return quota.release(spec.user(), spec.streamId()).onErrorResume(e -> Mono.empty());
    }

    /**
     * The one save of a finished reply, charged when {@code charge} (completed, not stopped): see {@link ReplySaver}
     * (idempotent, retried, kept in Redis while MongoDB is down; a stopped reply releases its reservation). Nothing is
     * written into a session being deleted (when Redis cannot say, the reply is saved: losing it would be worse).
     */
    private Mono<SavedReply> save(StreamSpec spec, StoredReply reply, boolean charge) {
        return saver.save(pending(spec, reply, charge));
    }

    private static PendingReply pending(StreamSpec spec, StoredReply reply, boolean charge) {
        return new PendingReply(spec.streamId(), spec.sessionId(), spec.userId(), spec.user().plan(),
                spec.kind() == StreamSpec.Kind.NEW_VERSION, spec.messageId(), spec.userMessageId(), spec.question(),
                reply, System.currentTimeMillis(), charge);
    }

    private static StreamPayloads.Completed completed(EndedStream stream, StoredReply reply, SavedReply saved) {
        StreamSpec spec = stream.spec();
        QuotaSnapshot snapshot = saved.quota();
        return new StreamPayloads.Completed(spec.sessionId(), spec.streamId(), spec.messageId(), reply.content(),
                reply.citations(), reply.chunkReferences(), reply.usage(), reply.stopped(), reply.contextTrimmed(),
                snapshot == null ? null : snapshot.toJson(), stream.timingNow(), saved.persisted(), reply.provider(),
                reply.model());
    }
}
