package dev.streamchat.gateway.chat;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.streamchat.gateway.auth.AuthenticatedUser;
import dev.streamchat.gateway.overload.AdmissionControl;
import dev.streamchat.gateway.sse.SseStreams;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Chat streams as plain SSE (contract section 6) for clients without Socket.IO: {@code POST /chat/stream} starts a
 * stream exactly as {@code /chat/new} does (same body, checks and errors, through the same code) and answers its
 * events; {@code GET /chat/streams/{streamId}/events} resumes one from {@code Last-Event-ID} or {@code afterSeq}.
 */
@RestController
@RequestMapping("/api/v1")
class ChatStreamController {

    private final ChatService chats;
    private final SseStreams sse;
    private final ChatProperties properties;
    private final JsonMapper json;
    private final AdmissionControl admission;

    ChatStreamController(ChatService chats, SseStreams sse, ChatProperties properties, JsonMapper json,
                         AdmissionControl admission) {
        this.chats = chats;
        this.sse = sse;
        this.properties = properties;
        this.json = json;
        this.admission = admission;
    }

    @PostMapping(value = "/chat/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<Void> stream(@RequestBody(required = false) String body, ServerWebExchange exchange) {
        AuthenticatedUser user = ChatController.user(exchange);
        ChatService.NewChat chat = ChatController.newChatRequest(json, properties, body);
        admission.admit();
        return sse.startAndWrite(exchange.getResponse(), beforeStart -> chats.startNew(user, chat, beforeStart));
    }

    @GetMapping(value = "/chat/streams/{streamId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Mono<Void> events(@PathVariable String streamId,
                      @RequestHeader(name = "Last-Event-ID", required = false) String lastEventId,
                      @RequestParam(name = "afterSeq", required = false) String afterSeq,
                      ServerWebExchange exchange) {
        AuthenticatedUser user = ChatController.user(exchange);
        JsonBody.requireId(streamId, "streamId");
        // EventSource reconnects to the same URL with the header: the header wins over the URL's afterSeq.
        long after = lastEventId != null && !lastEventId.isBlank() ? seq(lastEventId, "Last-Event-ID")
                : afterSeq != null ? seq(afterSeq, "afterSeq") : 0;
        return sse.resumeAndWrite(exchange.getResponse(), user.userId(), streamId, after);
    }

    private static long seq(String value, String what) {
        try {
            long seq = Long.parseLong(value.strip());
            if (seq >= 0) {
                return seq;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw JsonBody.badRequest("'" + what + "' must be a seq: a whole number from 0.");
    }
}
