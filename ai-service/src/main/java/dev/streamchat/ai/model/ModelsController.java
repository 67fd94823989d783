package dev.streamchat.ai.model;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/models} (CONTRACT.md section 6): {@code {"default":"local","models":[{"id","provider","model"}]}},
 * what a request's {@code model} may name. Behind {@code X-API-Key} like every {@code /api/**} call.
 */
@RestController
class ModelsController {

    private final ModelCatalog catalog;

    ModelsController(ModelCatalog catalog) {
        this.catalog = catalog;
    }

    @GetMapping(path = "/api/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
    ModelCatalog.Listing models() {
        return catalog.listing();
    }
}
