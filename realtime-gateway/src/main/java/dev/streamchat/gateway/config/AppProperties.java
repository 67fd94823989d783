package dev.streamchat.gateway.config;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** Cross-cutting settings: {@code APP_MODE} ({@code local} or {@code production}). */
@ConfigurationProperties("gateway.app")
public record AppProperties(@DefaultValue("local") String mode) {

    public AppMode appMode() {
        return AppMode.parse(mode);
    }
}
