package dev.streamchat.gateway.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/models} (contract section 6): {@code {"default":"<id>","models":[{"id","provider","model"}]}},
 * the ids a client may send as {@code model} on {@code /chat/new}, {@code /chat/stream} and {@code /retry}. Needs a
 * signed-in user like every {@code /api/v1} call (the JWT filter); 503 {@code unavailable} when the ai-service cannot
 * say.
 */
@RestController
class ModelsController {

    private final ModelCatalog catalog;

    ModelsController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping("/api/v1/models")
    Mono<Map<String, Object>> models() {
        return catalog.offered().map(ModelsController::toJson);
    }

    private static Map<String, Object> toJson(OfferedModels offered) {
        List<Map<String, Object>> models = offered.models().stream().map(option -> {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", option.id());
            out.put("provider", option.provider());
            out.put("model", option.model());
            return out;
        }).toList();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("default", offered.defaultId());
        out.put("models", models);
        return out;
    }
}
