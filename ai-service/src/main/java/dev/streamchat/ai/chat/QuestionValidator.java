package dev.streamchat.ai.chat;

import java.util.List;

import org.springframework.stereotype.Component;

import dev.streamchat.ai.error.ApiException;
import dev.streamchat.ai.error.ErrorCode;
import dev.streamchat.ai.model.ChatProvider;
import dev.streamchat.ai.model.ModelCatalog;
import dev.streamchat.ai.rag.SearchScope;
import dev.streamchat.ai.route.Route;

/** Turns a {@link SearchRequest} into a {@link Question} or refuses it with 400 {@code bad_request}. */
@Component
public class QuestionValidator {

    private final ChatProperties limits;
    private final ModelCatalog models;

    public QuestionValidator(ChatProperties limits, ModelCatalog models) {
        this.limits = limits;
        this.models = models;
    }

    public Question validate(SearchRequest request, String requestId) {
        if (request == null) {
            throw badRequest("a JSON body is required");
        }
        if (request.userQuery() == null || request.userQuery().isBlank()) {
            throw badRequest("user_query must not be empty");
        }
        if (request.userQuery().length() > limits.maxQueryChars()) {
            throw badRequest("user_query is longer than " + limits.maxQueryChars() + " characters");
        }
        if (request.userId() == null || request.userId().isBlank()) {
            throw badRequest("user_id must not be empty");
        }
        // The ids reach MongoDB filters and logs: the same rule as the document endpoints.
        if (!SearchScope.isValidId(request.userId().strip())) {
            throw badRequest("user_id must match " + SearchScope.ID_RULE);
        }
        if (!isBlank(request.docId()) && !SearchScope.isValidId(request.docId().strip())) {
            throw badRequest("doc_id must match " + SearchScope.ID_RULE);
        }
        if (!isBlank(request.className()) && !SearchScope.isValidClassName(request.className().strip())) {
            throw badRequest("class_name must be at most " + SearchScope.MAX_CLASS_NAME
                    + " characters without control characters");
        }
        List<ChatTurn> history = request.chatHistory() == null ? List.of() : request.chatHistory();
        if (history.size() > limits.maxHistoryMessages()) {
            throw badRequest("chat_history has more than " + limits.maxHistoryMessages() + " entries");
        }
        long historyChars = 0;
        for (ChatTurn turn : history) {
            if (turn == null || turn.content() == null
                    || !("user".equals(turn.role()) || "assistant".equals(turn.role()))) {
                throw badRequest("chat_history entries need role user or assistant and a content");
            }
            historyChars += turn.content().length();
        }
        if (historyChars > limits.maxHistoryChars()) {
            throw badRequest("chat_history is longer than " + limits.maxHistoryChars() + " characters");
        }
        Route route = null;
        if (request.route() != null && !request.route().isBlank()) {
            route = Route.fromWireName(request.route().strip());
            if (route == null) {
                throw badRequest("route must be null or one of general_qa, follow_up, quote_finding, "
                        + "generate_study_guide, library_overview");
            }
        }
        ChatProvider model = null;
        if (request.model() != null) {
            model = models.find(request.model())
                    .orElseThrow(() -> badRequest("model must be null or one of " + models.listing().models().stream()
                            .map(option -> option.id()).toList()));
        }
        AnswerMode mode = AnswerMode.ANSWER;
        if (request.mode() != null && !request.mode().isBlank() && !"answer".equals(request.mode().strip())) {
            if (!"deep_research".equals(request.mode().strip())) {
                throw badRequest("mode must be null, answer or deep_research");
            }
            mode = AnswerMode.DEEP_RESEARCH;
        }
        String query = request.userQuery();
        if (query.strip().regionMatches(true, 0, AnswerMode.DEEP_RESEARCH_PREFIX, 0,
                AnswerMode.DEEP_RESEARCH_PREFIX.length())) {
            mode = AnswerMode.DEEP_RESEARCH;
            query = query.strip().substring(AnswerMode.DEEP_RESEARCH_PREFIX.length()).strip();
            if (query.isEmpty()) {
                throw badRequest("user_query must not be empty after " + AnswerMode.DEEP_RESEARCH_PREFIX);
            }
        }
        SearchScope scope = new SearchScope(request.userId().strip(), blankToNull(request.className()),
                blankToNull(request.docId()));
        return new Question(requestId, scope, query, List.copyOf(history), route, model, mode);
    }

    private static ApiException badRequest(String detail) {
        return new ApiException(ErrorCode.BAD_REQUEST, detail);
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
