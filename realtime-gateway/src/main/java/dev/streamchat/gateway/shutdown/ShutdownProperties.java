package dev.streamchat.gateway.shutdown;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** {@code SHUTDOWN_DRAIN_S}: how long a node stopping (SIGTERM) lets its running streams finish before ending them. */
@ConfigurationProperties("gateway.shutdown")
public record ShutdownProperties(@DefaultValue("20s") Duration drain) {
}
