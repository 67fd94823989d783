package dev.streamchat.ai.chat;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

import dev.streamchat.ai.error.ApiException;
import dev.streamchat.ai.stream.ChatEvent;
import dev.streamchat.ai.stream.SseFrames;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code POST /api/v1/semantic_search_stream} (SSE) and {@code POST /api/v1/semantic_search} (one JSON object) of
 * CONTRACT.md section 1. Validation errors are 400 problem+json; after validation the stream's status and headers
 * go out at once, and failures become a final {@code error} event.
 */
@RestController
@RequestMapping("/api/v1")
class SemanticSearchController {

    private final QuestionValidator validator;
    private final AnswerService answers;
    private final SseFrames frames;

    SemanticSearchController(QuestionValidator validator, AnswerService answers, SseFrames frames) {
        this.validator = validator;
        this.answers = answers;
        this.frames = frames;
    }

    @PostMapping(path = "/semantic_search_stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<String>> stream(@RequestBody SearchRequest body, ServerWebExchange exchange) {
        Question question = validator.validate(body, exchange.getRequest().getId());
        HttpHeaders headers = exchange.getResponse().getHeaders();
        headers.setCacheControl(CacheControl.noCache());
        // nginx and similar proxies must pass each event on at once (centrifugo sends the same header).
        headers.set("X-Accel-Buffering", "no");
        return frames.frames(answers.answer(question));
    }

    @PostMapping(path = "/semantic_search", produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<SearchAnswer> search(@RequestBody SearchRequest body, ServerWebExchange exchange) {
        Question question = validator.validate(body, exchange.getRequest().getId());
        return answers.answer(question)
                .collect(Collected::new, Collected::add)
                .map(Collected::result);
    }

    /** Folds a finished stream into the blocking endpoint's answer, or its error into a problem response. */
    private static final class Collected {
        private final StringBuilder answer = new StringBuilder();
        private ChatEvent last;

        void add(ChatEvent event) {
            if (event instanceof ChatEvent.Token token) {
                answer.append(token.content());
            } else if (event.terminal()) {
                last = event; // Deep Research's progress events have no place in one JSON answer
            }
        }

        SearchAnswer result() {
            if (last instanceof ChatEvent.Done done) {
                return SearchAnswer.of(answer.toString(), done);
            }
            if (last instanceof ChatEvent.Failure failure) {
                throw new ApiException(failure.code(), failure.message());
            }
            throw new IllegalStateException("answer stream ended without done or error");
        }
    }
}
