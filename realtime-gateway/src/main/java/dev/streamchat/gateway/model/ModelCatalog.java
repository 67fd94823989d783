package dev.streamchat.gateway.model;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The models this deployment offers, as the ai-service lists them ({@code GET /api/v1/models}, its
 * {@code AI_MODELS}). The list is fetched on demand and kept for {@code MODELS_CACHE_S}; concurrent callers share
 * one fetch. A failed fetch is not kept: the ai-service down (refused, not 2xx, malformed, or no answer within
 * {@code fetchTimeout}) is a 503 {@code unavailable} at once, and the next call tries again.
 */
@Component
public class ModelCatalog {

    static final String PATH = "/api/v1/models";
    private static final Logger log = LoggerFactory.getLogger(ModelCatalog.class);

    private final Mono<OfferedModels> offered;

    ModelCatalog(@Qualifier("aiServiceWebClient") WebClient webClient, JsonMapper json, ModelProperties properties) {
        this.offered = Mono.defer(() -> webClient.get().uri(PATH).accept(MediaType.APPLICATION_JSON)
                        .exchangeToMono(response -> response.statusCode().is2xxSuccessful()
                                ? response.bodyToMono(String.class)
                                : response.releaseBody().then(Mono.error(new IllegalStateException(
                                        "ai-service answered " + response.statusCode().value())))))
                .timeout(properties.fetchTimeout())
                .map(body -> parse(json, body))
                .doOnError(error -> log.warn("model list unavailable error={}", error.toString()))
                .onErrorMap(error -> new ApiException(ErrorCode.UNAVAILABLE,
                        "The list of models is unavailable; try again shortly.", Duration.ofSeconds(5), Map.of()))
                .cache(list -> properties.cacheTtl(), error -> Duration.ZERO, () -> Duration.ZERO);
    }

    /** The offered models, or 503 {@code unavailable}. */
    public Mono<OfferedModels> offered() {
        return offered;
    }

    /**
     * The offered model with this id; 400 {@code bad_request} when it is not offered here (503 when the list cannot
     * be read).
     */
    public Mono<ModelOption> require(String id) {
        return offered.flatMap(list -> {
            ModelOption option = list.find(id);
            return option != null ? Mono.just(option)
                    : Mono.error(new ApiException(ErrorCode.BAD_REQUEST,
                            "'model' is not offered here; GET /api/v1/models lists the models you can use."));
        });
    }

    static OfferedModels parse(JsonMapper json, String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalStateException("the model list is not JSON");
        }
        JsonNode models = root == null ? null : root.get("models");
        if (models == null || !models.isArray() || models.isEmpty()) {
            throw new IllegalStateException("the model list has no models");
        }
        List<ModelOption> options = new ArrayList<>(models.size());
        for (JsonNode model : models) {
            String id = text(model, "id");
            if (id == null || id.isBlank()) {
                throw new IllegalStateException("a listed model has no id");
            }
            ModelOption byId = ModelOption.ofId(id);
            String provider = text(model, "provider");
            options.add(new ModelOption(id, provider == null ? byId.provider() : provider,
                    model.has("model") ? text(model, "model") : byId.model()));
        }
        String defaultId = text(root, "default");
        if (defaultId == null || options.stream().noneMatch(o -> o.id().equals(defaultId))) {
            throw new IllegalStateException("the model list's default is not one of its models");
        }
        return new OfferedModels(defaultId, List.copyOf(options));
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value == null || value.isNull() || !value.isString() ? null : value.asString();
    }
}
