package dev.streamchat.gateway.chat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.bson.Document;
import org.springframework.stereotype.Service;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.UserAccounts;
import dev.streamchat.gateway.document.AiDocumentsClient;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.model.ModelCatalog;
import dev.streamchat.gateway.persistence.ChatSessionStore;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.ratelimit.ChatRateLimiter;
import dev.streamchat.gateway.stream.AiRequest;
import dev.streamchat.gateway.stream.AiRequest.HistoryMessage;
import dev.streamchat.gateway.stream.StreamClaim;
import dev.streamchat.gateway.stream.StreamRegistry;
import dev.streamchat.gateway.stream.StreamRelay;
import dev.streamchat.gateway.stream.StreamSpec;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;

/**
 * Starts chat streams ({@code /chat/new}, {@code /retry}) with the contract's check order after validation:
 * 429 rate limit → 404 (also a deleted session) → 409 running stream, 409 full session → 429 too many streams →
 * 429 quota → the ai-service's status (503 when none in 5 s). The plan in force is the stored one, not the token's.
 * Whatever was taken (session lock, stream slot, quota reservation) is given back when a later step refuses.
 */
@Service
public class ChatService {

    private final ChatSessionStore sessions;
    private final StreamRegistry streams;
    private final StreamRelay relay;
    private final FreeTierQuota quota;
    private final ChatRateLimiter rateLimiter;
    private final AiDocumentsClient documents;
    private final ChatProperties properties;
    private final UserAccounts users;
    private final ModelCatalog models;

    ChatService(ChatSessionStore sessions, StreamRegistry streams, StreamRelay relay, FreeTierQuota quota,
                ChatRateLimiter rateLimiter, AiDocumentsClient documents, ChatProperties properties, UserAccounts users,
                ModelCatalog models) {
        this.users = users;
        this.models = models;
        this.sessions = sessions;
        this.streams = streams;
        this.relay = relay;
        this.quota = quota;
        this.rateLimiter = rateLimiter;
        this.documents = documents;
        this.properties = properties;
    }

    /** A validated {@code /chat/new} body. */
    record NewChat(String sessionId, String message, String classId, String docId, String clientRequestId,
                   AnswerChoice choice) {

        NewChat(String sessionId, String message, String classId, String docId, String clientRequestId) {
            this(sessionId, message, classId, docId, clientRequestId, AnswerChoice.DEFAULT);
        }
    }

    /** A validated {@code /retry} body. */
    record Retry(String streamId, String clientRequestId, AnswerChoice choice) {

        Retry(String streamId, String clientRequestId) {
            this(streamId, clientRequestId, AnswerChoice.DEFAULT);
        }
    }

    /** The 202 body. */
    record Accepted(String sessionId, String streamId, String clientRequestId) {
        Map<String, Object> toJson() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("sessionId", sessionId);
            out.put("streamId", streamId);
            out.put("clientRequestId", clientRequestId);
            return out;
        }
    }

    /** What a stream starts from once the checks passed. */
    private record Plan(String sessionId, boolean newSession, String question, List<HistoryMessage> history,
                        StreamSpec.Kind kind, String messageId, String classId, String docId) {
    }

    Mono<Accepted> startNew(AuthenticatedUser caller, NewChat request) {
        return startNew(caller, request, streamId -> { });
    }

    /**
     * {@link #startNew(AuthenticatedUser, NewChat)} that first tells {@code beforeStart} the new stream's id, once
     * every check passed and before the stream can emit anything ({@code POST /chat/stream} listens to it).
     */
    Mono<Accepted> startNew(AuthenticatedUser caller, NewChat request, java.util.function.Consumer<String> beforeStart) {
        // A model that is not offered is a 400, so it is checked before the rate limit takes a token.
        return offered(request.choice())
                .then(admitted(caller))
                .flatMap(user -> planNew(user, request)
                        .flatMap(plan -> launch(user, plan, request.clientRequestId(), request.choice(), beforeStart)));
    }

    Mono<Accepted> retry(AuthenticatedUser caller, String sessionId, Retry request) {
        return offered(request.choice())
                .then(admitted(caller))
                .flatMap(user -> (request.streamId() == null
                        ? planNewVersion(user, sessionId)
                        : planRetryOfStream(user, sessionId, request.streamId()))
                        .flatMap(plan -> launch(user, plan, request.clientRequestId(), request.choice(),
                                streamId -> { })));
    }

    /**
     * The caller with the plan in force, once the rate limit let the request through. The token is taken in Redis while
     * the plan is read from MongoDB: two stores, one wait. A refused request is 429 whatever the plan read does.
     */
    private Mono<AuthenticatedUser> admitted(AuthenticatedUser caller) {
        return Mono.zip(rateLimiter.acquire(caller.userId()).thenReturn(Boolean.TRUE), users.inForce(caller),
                (taken, user) -> user);
    }

    /** Empty when the choice names no model or an offered one; else 400 (503 when the list cannot be read). */
    private Mono<Void> offered(AnswerChoice choice) {
        return choice.model() == null ? Mono.empty() : models.require(choice.model()).then();
    }

    private Mono<Plan> planNew(AuthenticatedUser user, NewChat request) {
        Mono<Plan> plan;
        if (request.sessionId() == null) {
            plan = Mono.just(new Plan(newId(), true, request.message(), List.of(), StreamSpec.Kind.NEW_EXCHANGE, newId(),
                    request.classId(), request.docId()));
        } else {
            plan = sessions.find(request.sessionId(), user.userId())
                    .onErrorMap(StoreUnavailable::map)
                    .flatMap(this::requireRoom)
                    .map(doc -> new Plan(request.sessionId(), false, request.message(), history(messages(doc), messages(doc).size()),
                            StreamSpec.Kind.NEW_EXCHANGE, newId(), request.classId(), request.docId()))
                    .switchIfEmpty(Mono.defer(() -> pendingSession(user, request.sessionId())
                            .map(owned -> new Plan(request.sessionId(), false, request.message(), List.of(),
                                    StreamSpec.Kind.NEW_EXCHANGE, newId(), request.classId(), request.docId()))))
                    .switchIfEmpty(Mono.error(sessionNotFound()));
        }
        if (request.docId() == null) {
            return plan;
        }
        return plan.flatMap(p -> documents.get(user.userId(), request.docId())
                .switchIfEmpty(Mono.error(new ApiException(ErrorCode.NOT_FOUND, "No such document.")))
                .thenReturn(p));
    }

    /** Retry without a stream id: a new version of the session's last answer. */
    private Mono<Plan> planNewVersion(AuthenticatedUser user, String sessionId) {
        return sessions.find(sessionId, user.userId())
                .onErrorMap(StoreUnavailable::map)
                .switchIfEmpty(Mono.error(sessionNotFound()))
                .flatMap(this::requireRoom)
                .flatMap(doc -> {
                    List<Document> messages = messages(doc);
                    int answer = lastIndexOf(messages, "assistant", messages.size() - 1);
                    int question = answer < 0 ? -1 : lastIndexOf(messages, "user", answer - 1);
                    if (question < 0) {
                        return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "This session has no answer to retry."));
                    }
                    return Mono.just(new Plan(sessionId, false, messages.get(question).getString("content"),
                            history(messages, question), StreamSpec.Kind.NEW_VERSION,
                            messages.get(answer).getString("id"), null, null));
                });
    }

    /**
     * Retry of a failed (new exchange) or stopped (new version) stream of the caller, within the resume TTL. The
     * session must still be there (stored, or handed out and not yet saved): the stream of a deleted session is 404
     * before anything runs, since its answer could never be saved or charged.
     */
    private Mono<Plan> planRetryOfStream(AuthenticatedUser user, String sessionId, String streamId) {
        return streams.find(user.userId(), streamId)
                .onErrorMap(StoreUnavailable::map)
                .filter(record -> sessionId.equals(record.sessionId()))
                .switchIfEmpty(Mono.error(new ApiException(ErrorCode.NOT_FOUND, "No such stream, or it expired.")))
                .flatMap(record -> {
                    if (record.running()) {
                        return Mono.error(new ApiException(ErrorCode.STREAM_ACTIVE, "That stream is still running."));
                    }
                    if ("error".equals(record.status())) {
                        return sessions.find(sessionId, user.userId())
                                .onErrorMap(StoreUnavailable::map)
                                .flatMap(this::requireRoom)
                                .map(doc -> history(messages(doc), messages(doc).size()))
                                .switchIfEmpty(Mono.defer(() -> pendingSession(user, sessionId).map(owned -> List.<HistoryMessage>of())))
                                .switchIfEmpty(Mono.error(sessionNotFound()))
                                .map(history -> new Plan(sessionId, false, record.question(), history,
                                        StreamSpec.Kind.NEW_EXCHANGE, newId(), null, null));
                    }
                    if ("stopped".equals(record.status())) {
                        return sessions.find(sessionId, user.userId())
                                .onErrorMap(StoreUnavailable::map)
                                .flatMap(this::requireRoom)
                                .flatMap(doc -> {
                                    List<Document> messages = messages(doc);
                                    int answer = indexOfId(messages, record.messageId());
                                    if (answer < 0) {
                                        return Mono.empty();
                                    }
                                    int question = lastIndexOf(messages, "user", answer - 1);
                                    return Mono.just(new Plan(sessionId, false, record.question(),
                                            history(messages, Math.max(0, question)), StreamSpec.Kind.NEW_VERSION,
                                            record.messageId(), null, null));
                                })
                                .switchIfEmpty(Mono.error(new ApiException(ErrorCode.NOT_FOUND, "The stopped reply is gone.")));
                    }
                    return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "Only a failed or stopped stream can be retried."));
                });
    }

    private Mono<Accepted> launch(AuthenticatedUser user, Plan plan, String clientRequestId, AnswerChoice choice,
                                  java.util.function.Consumer<String> beforeStart) {
        String streamId = newId();
        StreamSpec spec = new StreamSpec(user, plan.sessionId(), streamId, plan.messageId(),
                plan.kind() == StreamSpec.Kind.NEW_EXCHANGE ? newId() : null, clientRequestId, plan.question(),
                new AiRequest(user.userId(), plan.classId(), plan.docId(), plan.question(), plan.history(), null,
                        choice.model(), choice.mode()),
                plan.kind(), Instant.now());
        // The claim (one trip: session lock, lease, user slot and the stream's record, with the owner of a new session)
        // and a free user's quota reservation go to Redis at once; refusals in the contract's order: 409 stream_active,
        // 404, 429 too_many_streams, 429 quota_exceeded.
        return Mono.zip(streams.claim(spec, plan.newSession() ? user.userId() : null,
                                properties.maxConcurrentStreamsPerUser()).onErrorMap(StoreUnavailable::map).materialize(),
                        quota.reserve(user, streamId).materialize())
                .flatMap(taken -> admit(spec, taken.getT1(), taken.getT2()))
                .then(Mono.defer(() -> {
                    beforeStart.accept(streamId);
                    return relay.start(spec)
                            .onErrorResume(error -> quota.release(user, streamId).onErrorResume(e -> Mono.empty())
                                    .then(release(spec))
                                    .then(Mono.error(error)));
                }))
                .thenReturn(new Accepted(plan.sessionId(), streamId, clientRequestId));
    }

    /**
     * Nothing when both the claim and the reservation went through; else the first refusal in the contract's order,
     * after giving back what the other took (a claim's refusal took nothing; one that failed may have run).
     */
    private Mono<Void> admit(StreamSpec spec, Signal<StreamClaim> claim, Signal<Void> reservation) {
        Throwable refusal = claim.isOnError() ? claim.getThrowable() : switch (claim.get()) {
            case TAKEN -> reservation.getThrowable();
            case SESSION_BUSY -> new ApiException(ErrorCode.STREAM_ACTIVE, "This session already has a running answer.");
            case SESSION_DELETED -> sessionNotFound();
            case NO_SLOT -> tooManyStreams();
        };
        if (refusal == null) {
            return Mono.empty();
        }
        Mono<Void> claimBack = claim.isOnError() || claim.get() == StreamClaim.TAKEN ? release(spec) : Mono.empty();
        Mono<Void> reservationBack = quota.release(spec.user(), spec.streamId()).onErrorResume(e -> Mono.empty());
        return Mono.when(claimBack, reservationBack).then(Mono.error(refusal));
    }

    private ApiException tooManyStreams() {
        return new ApiException(ErrorCode.TOO_MANY_STREAMS,
                "You already have " + properties.maxConcurrentStreamsPerUser()
                        + " answers running; wait for one to end or stop one.",
                java.time.Duration.ofSeconds(1), Map.of());
    }

    /**
     * A stored session that may take one more exchange or version; else 409 {@code session_full}. One stream runs
     * per session at a time, so a session passes a bound by at most one exchange.
     */
    private Mono<Document> requireRoom(Document session) {
        List<Document> messages = messages(session);
        long entries = 0;
        long bytes = 0;
        for (Document message : messages) {
            entries++;
            bytes += utf8Length(message.getString("content"));
            Object versions = message.get("versions");
            if (versions instanceof List<?> list) {
                entries += Math.max(0, list.size() - 1); // the first version is the message itself
                for (Object version : list) {
                    if (version instanceof Document v) {
                        bytes += utf8Length(v.getString("content"));
                    }
                }
            }
        }
        if (entries >= properties.maxSessionMessages() || bytes >= properties.maxSessionBytes().toBytes()) {
            return Mono.error(new ApiException(ErrorCode.SESSION_FULL,
                    "This conversation is full; start a new one to keep asking."));
        }
        return Mono.just(session);
    }

    private static long utf8Length(String text) {
        if (text == null) {
            return 0;
        }
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    /** Best effort: what the claim took (a stream that never started leaves nothing running; its lease expires anyway). */
    private Mono<Void> release(StreamSpec spec) {
        return streams.release(spec).onErrorResume(e -> Mono.empty());
    }

    /** A session handed to this user in an earlier 202 but not saved yet. */
    Mono<Boolean> pendingSession(AuthenticatedUser user, String sessionId) {
        return streams.sessionOwner(sessionId)
                .onErrorMap(StoreUnavailable::map)
                .filter(user.userId()::equals)
                .map(owner -> true);
    }

    private List<HistoryMessage> history(List<Document> messages, int endExclusive) {
        List<HistoryMessage> all = new ArrayList<>();
        for (int i = 0; i < endExclusive && i < messages.size(); i++) {
            Document message = messages.get(i);
            String content = message.getString("content");
            String role = message.getString("role");
            if (content != null && role != null) {
                all.add(new HistoryMessage(role, content));
            }
        }
        return HistoryWindow.of(all, properties.historyMessages(), properties.maxHistoryChars());
    }

    @SuppressWarnings("unchecked")
    static List<Document> messages(Document session) {
        Object messages = session.get("messages");
        return messages instanceof List<?> list ? (List<Document>) list : List.of();
    }

    private static int lastIndexOf(List<Document> messages, String role, int from) {
        for (int i = from; i >= 0; i--) {
            if (role.equals(messages.get(i).getString("role"))) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOfId(List<Document> messages, String id) {
        for (int i = 0; i < messages.size(); i++) {
            if (id != null && id.equals(messages.get(i).getString("id"))) {
                return i;
            }
        }
        return -1;
    }

    static ApiException sessionNotFound() {
        return new ApiException(ErrorCode.NOT_FOUND, "No such session.");
    }

    private static String newId() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
