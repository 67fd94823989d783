package dev.streamchat.gateway.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

/**
 * What {@code GET /v3/api-docs} says about the REST API besides the routes springdoc reads from the controllers:
 * the two ways to send the JWT (contract section 2). The socket events are in {@code docs/socket-events.md}.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI streamchatOpenApi() {
        return new OpenAPI()
                .info(new Info().title("streamchat realtime-gateway REST API").version("v1")
                        .description("Errors are RFC 9457 problem+json with a `code`. Replies to chat requests arrive as "
                                + "Socket.IO events (docs/socket-events.md) or as SSE from /api/v1/chat/stream."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .bearerFormat("JWT"))
                        .addSecuritySchemes("cookie", new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                .in(SecurityScheme.In.COOKIE).name("token")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"))
                .addSecurityItem(new SecurityRequirement().addList("cookie"));
    }
}
