package dev.streamchat.gateway.http;

import java.util.Map;

import org.springframework.boot.actuate.endpoint.ApiVersion;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebServerNamespace;
import org.springframework.boot.health.actuate.endpoint.ReactiveHealthEndpointWebExtension;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/**
 * {@code /actuator/health} (+ {@code /liveness}, {@code /readiness}) on the public REST port, status only: the
 * actuator itself lives on the private management port, but run.sh, load balancers and k8s probes look here
 * (contract section 2). Same status code as the actuator's (200 UP, 503 DOWN); no component details.
 */
@RestController
class PublicHealthController {

    private final ReactiveHealthEndpointWebExtension health;

    PublicHealthController(ReactiveHealthEndpointWebExtension health) {
        this.health = health;
    }

    @GetMapping("/actuator/health")
    Mono<ResponseEntity<Map<String, Object>>> overall() {
        return answer(health.health(ApiVersion.LATEST, WebServerNamespace.SERVER, SecurityContext.NONE));
    }

    @GetMapping("/actuator/health/{group}")
    Mono<ResponseEntity<Map<String, Object>>> group(@PathVariable String group) {
        if (!"liveness".equals(group) && !"readiness".equals(group)) {
            return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "Not found."));
        }
        return answer(health.health(ApiVersion.LATEST, WebServerNamespace.SERVER, SecurityContext.NONE, group));
    }

    private static Mono<ResponseEntity<Map<String, Object>>> answer(
            Mono<? extends org.springframework.boot.actuate.endpoint.web.WebEndpointResponse<?
                    extends org.springframework.boot.health.actuate.endpoint.HealthDescriptor>> response) {
        return response.map(r -> ResponseEntity.status(r.getStatus()).<Map<String, Object>>body(
                Map.of("status", r.getBody() == null ? "UNKNOWN" : r.getBody().getStatus().getCode())));
    }
}
