package dev.streamchat.gateway.auth;

import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

import dev.streamchat.gateway.config.AppProperties;
import dev.streamchat.gateway.error.ApiException;
import dev.streamchat.gateway.error.ErrorCode;
import reactor.core.publisher.Mono;

/** {@code /api/v1/auth}: dev-login (local only), me, logout (contract section 2). */
@RestController
@RequestMapping("/api/v1/auth")
public class AuthController {

    private static final Logger log = LoggerFactory.getLogger(AuthController.class);

    private final JwtTokens tokens;
    private final TokenCookie cookie;
    private final UserAccounts users;
    private final boolean devLoginEnabled;
    private final RevokedTokens revokedTokens;
    private final ApplicationEventPublisher events;

    public AuthController(JwtTokens tokens, TokenCookie cookie, UserAccounts users, AuthProperties authProperties,
                          AppProperties appProperties, RevokedTokens revokedTokens, ApplicationEventPublisher events) {
        this.tokens = tokens;
        this.cookie = cookie;
        this.users = users;
        this.devLoginEnabled = authProperties.devLoginEnabled(appProperties.appMode());
        this.revokedTokens = revokedTokens;
        this.events = events;
    }

    record TokenResponse(String token) {
    }

    record MeResponse(String userId, String plan) {
    }

    @PostMapping("/dev-login")
    public Mono<ResponseEntity<TokenResponse>> devLogin(@RequestBody(required = false) Mono<Map<String, Object>> body) {
        if (!devLoginEnabled) {
            return Mono.error(new ApiException(ErrorCode.NOT_FOUND, "Not found."));
        }
        return body
                .onErrorMap(ServerWebInputException.class,
                        e -> new ApiException(ErrorCode.BAD_REQUEST, "The body must be a JSON object {\"userId\",\"plan\"}."))
                .switchIfEmpty(Mono.error(() -> new ApiException(ErrorCode.BAD_REQUEST, "A JSON body {\"userId\",\"plan\"} is required.")))
                .flatMap(fields -> {
                    String userId = fields.get("userId") instanceof String s ? s : null;
                    String plan = fields.get("plan") instanceof String s ? s : null;
                    if (userId == null || !JwtTokens.USER_ID.matcher(userId).matches()) {
                        return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "userId must match [A-Za-z0-9_.-]{1,64}."));
                    }
                    if (plan == null || !JwtTokens.PLAN.matcher(plan).matches()) {
                        return Mono.error(new ApiException(ErrorCode.BAD_REQUEST, "plan must be free or pro."));
                    }
                    return users.upsert(userId, plan).then(Mono.fromCallable(() -> {
                        String jwt = tokens.issue(userId, plan);
                        log.info("dev-login userId={} plan={}", userId, plan);
                        return ResponseEntity.ok()
                                .header(HttpHeaders.SET_COOKIE, cookie.issue(jwt).toString())
                                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                                .body(new TokenResponse(jwt));
                    }));
                });
    }

    @GetMapping("/me")
    public Mono<MeResponse> me(ServerWebExchange exchange) {
        AuthenticatedUser user = exchange.getRequiredAttribute(AuthenticatedUser.EXCHANGE_ATTRIBUTE);
        return users.inForce(user).map(inForce -> new MeResponse(inForce.userId(), inForce.plan()));
    }

    /**
     * Clears the cookie, revokes the token the call was authenticated with until it expires (REST and socket auth
     * refuse it from now on) and ends this node's sockets that authenticated with it ({@link TokenRevoked}).
     */
    @PostMapping("/logout")
    public Mono<ResponseEntity<Void>> logout(ServerWebExchange exchange) {
        VerifiedToken token = exchange.getAttribute(VerifiedToken.EXCHANGE_ATTRIBUTE);
        Mono<Void> revoke = token == null ? Mono.empty() : revokedTokens.revoke(token)
                .doOnTerminate(() -> events.publishEvent(new TokenRevoked(token.user().userId(), token.hash())));
        return revoke.then(Mono.fromSupplier(() -> ResponseEntity.status(HttpStatus.NO_CONTENT)
                .header(HttpHeaders.SET_COOKIE, cookie.clear().toString())
                .<Void>build()));
    }
}
