package dev.streamchat.gateway.chat;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.auth.UserAccounts;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import dev.streamchat.gateway.overload.AdmissionControl;
import dev.streamchat.gateway.persistence.ChatSessionStore;
import dev.streamchat.gateway.persistence.StoreUnavailable;
import dev.streamchat.gateway.quota.FreeTierQuota;
import dev.streamchat.gateway.socket.StreamCommands;
import dev.streamchat.gateway.stream.StreamRegistry;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chat REST surface of contract section 2: starting and retrying streams, stopping them, the running
 * streams, sessions (list, read, rename, delete), feedback and the quota. Bodies are read as text and
 * validated strictly ({@link JsonBody}) so wrong types are 400 before anything else is checked.
 */
@RestController
@RequestMapping("/api/v1")
class ChatController {

    private static final int TITLE_MAX = 200;

    private final ChatService chats;
    private final ChatSessionStore sessions;
    private final StreamRegistry streams;
    private final StreamCommands commands;
    private final FreeTierQuota quota;
    private final ChatProperties properties;
    private final JsonMapper json;
    private final UserAccounts users;
    private final AdmissionControl admission;

    ChatController(ChatService chats, ChatSessionStore sessions, StreamRegistry streams, StreamCommands commands,
                   FreeTierQuota quota, ChatProperties properties, JsonMapper json, UserAccounts users,
                   AdmissionControl admission) {
        this.users = users;
        this.chats = chats;
        this.sessions = sessions;
        this.streams = streams;
        this.commands = commands;
        this.quota = quota;
        this.properties = properties;
        this.json = json;
        this.admission = admission;
    }

    @PostMapping("/chat/new")
    Mono<ResponseEntity<byte[]>> newChat(@RequestBody(required = false) String body, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        ChatService.NewChat chat = newChatRequest(json, properties, body);
        admission.admit();
        return chats.startNew(user, chat).map(this::accepted);
    }

    /**
     * The 202 of a started stream, encoded here: the codec path (encoder lookup, type resolution, hints) cost more
     * than the three ids it writes, on the event loop, once per stream start.
     */
    private ResponseEntity<byte[]> accepted(ChatService.Accepted accepted) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).contentType(MediaType.APPLICATION_JSON)
                .body(json.writeValueAsBytes(accepted.toJson()));
    }

    /** The validated body of {@code /chat/new}, shared with {@code /chat/stream} (same fields, same 400s). */
    static ChatService.NewChat newChatRequest(JsonMapper json, ChatProperties properties, String body) {
        JsonBody request = JsonBody.parse(json, body, false);
        String message = request.optionalString("message");
        if (message == null || message.isBlank()) {
            throw JsonBody.badRequest("'message' is required.");
        }
        if (message.length() > properties.maxMessageChars()) {
            throw JsonBody.badRequest("'message' is longer than " + properties.maxMessageChars() + " characters.");
        }
        String classId = request.optionalString("classId");
        if (classId != null && classId.length() > 200) {
            throw JsonBody.badRequest("'classId' is too long.");
        }
        return new ChatService.NewChat(request.optionalId("sessionId", JsonBody.ID), message, classId,
                request.optionalId("docId", JsonBody.ID),
                request.optionalId("clientRequestId", JsonBody.CLIENT_REQUEST_ID), AnswerChoice.from(request, message));
    }

    @PostMapping("/chat/sessions/{sessionId}/retry")
    Mono<ResponseEntity<byte[]>> retry(@PathVariable String sessionId, @RequestBody(required = false) String body,
                                       ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(sessionId, "sessionId");
        JsonBody request = JsonBody.parse(json, body, true);
        ChatService.Retry retry = new ChatService.Retry(request.optionalId("streamId", JsonBody.ID),
                request.optionalId("clientRequestId", JsonBody.CLIENT_REQUEST_ID), AnswerChoice.from(request, null));
        admission.admit();
        return chats.retry(user, sessionId, retry).map(this::accepted);
    }

    @PostMapping("/chat/streams/{streamId}/stop")
    Mono<ResponseEntity<Void>> stop(@PathVariable String streamId, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(streamId, "streamId");
        return commands.stop(user.userId(), streamId).flatMap(result -> result == StreamCommands.StopResult.NOT_FOUND
                ? Mono.error(new ApiException(ErrorCode.NOT_FOUND, "No such stream."))
                : Mono.just(ResponseEntity.accepted().<Void>build()));
    }

    @GetMapping("/chat/streams/active")
    Mono<List<Map<String, Object>>> active(ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        return streams.running(user.userId()).collectList().onErrorMap(StoreUnavailable::map);
    }

    @GetMapping("/chat/sessions")
    Mono<List<Map<String, Object>>> list(@RequestParam(required = false) String limit,
                                         @RequestParam(required = false) String before, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        int size = 20;
        if (limit != null) {
            try {
                size = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                throw JsonBody.badRequest("'limit' must be a number from 1 to 100.");
            }
            if (size < 1 || size > 100) {
                throw JsonBody.badRequest("'limit' must be a number from 1 to 100.");
            }
        }
        Instant cursor = null;
        if (before != null) {
            try {
                cursor = Instant.parse(before);
            } catch (DateTimeParseException e) {
                throw JsonBody.badRequest("'before' must be an ISO-8601 UTC timestamp.");
            }
        }
        return sessions.list(user.userId(), cursor, size).map(ChatController::summary).collectList()
                .onErrorMap(StoreUnavailable::map);
    }

    @GetMapping("/chat/sessions/{sessionId}")
    Mono<Map<String, Object>> get(@PathVariable String sessionId, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(sessionId, "sessionId");
        return sessions.find(sessionId, user.userId())
                .onErrorMap(StoreUnavailable::map)
                .map(ChatController::full)
                .switchIfEmpty(Mono.defer(() -> chats.pendingSession(user, sessionId).map(owned -> {
                    Map<String, Object> out = new LinkedHashMap<>();
                    out.put("sessionId", sessionId);
                    out.put("title", null);
                    out.put("messages", List.of());
                    return out;
                })))
                .switchIfEmpty(Mono.error(ChatService.sessionNotFound()));
    }

    @PatchMapping("/chat/sessions/{sessionId}")
    Mono<Map<String, Object>> rename(@PathVariable String sessionId, @RequestBody(required = false) String body,
                                     ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(sessionId, "sessionId");
        String title = JsonBody.parse(json, body, false).optionalString("title");
        if (title == null || title.isBlank() || title.length() > TITLE_MAX) {
            throw JsonBody.badRequest("'title' must be 1 to " + TITLE_MAX + " characters.");
        }
        if (title.codePoints().anyMatch(c -> Character.getType(c) == Character.CONTROL
                || Character.getType(c) == Character.FORMAT && c != 0x200D)) {
            throw JsonBody.badRequest("'title' must be one line of text without control characters.");
        }
        return sessions.rename(sessionId, user.userId(), title.strip(), Instant.now())
                .onErrorMap(StoreUnavailable::map)
                .map(ChatController::summary)
                .switchIfEmpty(Mono.error(ChatService.sessionNotFound()));
    }

    @DeleteMapping("/chat/sessions/{sessionId}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String sessionId, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(sessionId, "sessionId");
        Mono<Boolean> owned = sessions.find(sessionId, user.userId()).map(doc -> true)
                .onErrorMap(StoreUnavailable::map)
                .switchIfEmpty(Mono.defer(() -> chats.pendingSession(user, sessionId)))
                .defaultIfEmpty(false);
        return owned.flatMap(mine -> {
            if (!mine) {
                return Mono.error(ChatService.sessionNotFound());
            }
            return streams.endSessionStreams(user.userId(), sessionId)
                    .then(sessions.delete(sessionId, user.userId()))
                    .onErrorMap(StoreUnavailable::map)
                    .thenReturn(ResponseEntity.noContent().<Void>build());
        });
    }

    @PostMapping("/chat/sessions/{sessionId}/messages/{messageId}/feedback")
    Mono<ResponseEntity<Void>> feedback(@PathVariable String sessionId, @PathVariable String messageId,
                                        @RequestBody(required = false) String body, ServerWebExchange exchange) {
        AuthenticatedUser user = user(exchange);
        JsonBody.requireId(sessionId, "sessionId");
        JsonBody.requireId(messageId, "messageId");
        JsonBody request = JsonBody.parse(json, body, false);
        if (!request.has("rating")) {
            throw JsonBody.badRequest("'rating' is required: \"up\", \"down\" or null.");
        }
        String rating = request.optionalString("rating");
        if (rating != null && !rating.equals("up") && !rating.equals("down")) {
            throw JsonBody.badRequest("'rating' must be \"up\", \"down\" or null.");
        }
        return sessions.feedback(sessionId, user.userId(), messageId, rating)
                .onErrorMap(StoreUnavailable::map)
                .flatMap(found -> found ? Mono.just(ResponseEntity.noContent().<Void>build())
                        : Mono.error(new ApiException(ErrorCode.NOT_FOUND, "No such message.")));
    }

    @GetMapping("/quota")
    Mono<Map<String, Object>> quota(ServerWebExchange exchange) {
        return users.inForce(user(exchange)).flatMap(quota::snapshot).map(q -> q.toJson());
    }

    private static Map<String, Object> summary(Document doc) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", doc.get("_id"));
        out.put("title", doc.get("title"));
        out.put("updatedAt", ChatSessionStore.toJson(doc.get("updatedAt")));
        return out;
    }

    private static Map<String, Object> full(Document doc) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("sessionId", doc.get("_id"));
        out.put("title", doc.get("title"));
        List<Map<String, Object>> messages = ChatService.messages(doc).stream().map(ChatController::message).toList();
        out.put("messages", messages);
        return out;
    }

    private static Map<String, Object> message(Document m) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", m.get("id"));
        out.put("role", m.get("role"));
        out.put("content", m.get("content"));
        out.put("citations", orEmpty(m.get("citations")));
        out.put("chunkReferences", orEmpty(m.get("chunkReferences")));
        out.put("versions", versions(m.get("versions")));
        out.put("stopped", Boolean.TRUE.equals(m.get("stopped")));
        out.put("contextTrimmed", Boolean.TRUE.equals(m.get("contextTrimmed")));
        out.put("feedback", m.get("feedback"));
        out.put("createdAt", ChatSessionStore.toJson(m.get("createdAt")));
        return out;
    }

    /**
     * The stored versions with {@code provider} and {@code model} always present (null when unknown: versions
     * stored before the model was recorded have neither).
     */
    @SuppressWarnings("unchecked")
    private static Object versions(Object stored) {
        if (!(stored instanceof List<?> list)) {
            return List.of();
        }
        return list.stream().map(version -> {
            Object json = ChatSessionStore.toJson(version);
            if (!(json instanceof Map<?, ?> map)) {
                return json;
            }
            Map<String, Object> out = new LinkedHashMap<>((Map<String, Object>) map);
            out.putIfAbsent("provider", null);
            out.putIfAbsent("model", null);
            return out;
        }).toList();
    }

    private static Object orEmpty(Object value) {
        return value == null ? List.of() : ChatSessionStore.toJson(value);
    }

    static AuthenticatedUser user(ServerWebExchange exchange) {
        AuthenticatedUser user = exchange.getAttribute(AuthenticatedUser.EXCHANGE_ATTRIBUTE);
        if (user == null) {
            throw new ApiException(ErrorCode.UNAUTHORIZED, "Sign in first.");
        }
        return user;
    }
}
