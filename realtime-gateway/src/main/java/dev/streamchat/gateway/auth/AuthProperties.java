package dev.streamchat.gateway.auth;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.validation.annotation.Validated;

import dev.streamchat.gateway.config.AppMode;

/**
 * JWT and cookie settings ({@code JWT_SECRET}, {@code JWT_TTL}, {@code COOKIE_SECURE}, {@code AUTH_DEV_LOGIN},
 * {@code ALLOWED_ORIGINS}). The secret is resolved by {@code SecretsEnvironmentPostProcessor}.
 *
 * @param devLogin {@code AUTH_DEV_LOGIN}; unset means "on in local mode"; production forces it off
 */
@Validated
@ConfigurationProperties("gateway.auth")
public record AuthProperties(@NotBlank String jwtSecret,
                             @DefaultValue("24h") @DurationUnit(ChronoUnit.SECONDS) Duration jwtTtl,
                             @DefaultValue("false") boolean cookieSecure,
                             Boolean devLogin,
                             @DefaultValue({"http://localhost:8080", "http://127.0.0.1:8080"}) List<String> allowedOrigins) {

    public boolean devLoginEnabled(AppMode mode) {
        if (mode == AppMode.PRODUCTION) {
            return false;
        }
        return devLogin == null || devLogin;
    }

    @Override
    public String toString() {
        return "AuthProperties[jwtSecret=<hidden>, jwtTtl=" + jwtTtl + ", cookieSecure=" + cookieSecure
                + ", devLogin=" + devLogin + ", allowedOrigins=" + allowedOrigins + "]";
    }
}
