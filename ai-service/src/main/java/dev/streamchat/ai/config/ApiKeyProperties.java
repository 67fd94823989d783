package dev.streamchat.ai.config;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** {@code AI_SERVICE_API_KEY}: what callers of {@code /api/**} send as {@code X-API-Key}. */
@ConfigurationProperties("ai.security")
public record ApiKeyProperties(String apiKey) {

    @Override
    public String toString() {
        return "ApiKeyProperties[apiKey=" + (apiKey == null || apiKey.isBlank() ? "<unset>" : "****") + "]";
    }
}
