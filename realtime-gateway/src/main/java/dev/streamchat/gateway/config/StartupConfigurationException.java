package dev.streamchat.gateway.config;

/**
 * A setting the gateway cannot start without. Its message is the one line the operator sees, so it names the
 * variable and never contains a secret; it carries no stack trace on purpose.
 */
public class StartupConfigurationException extends RuntimeException {

    public StartupConfigurationException(String message) {
        super(message, null, false, false);
    }
}
