package io.github.smtproutes.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * The mailet-wide settings of the SMTP client: the name it gives in EHLO and the two timeouts.
 * Per-route settings (TLS, AUTH, possible delivery) travel with the route.
 */
public final class ClientSettings {
    private final String heloName;
    private final Duration connectionTimeout;
    private final Duration timeout;

    public ClientSettings(String heloName, Duration connectionTimeout, Duration timeout) {
        this.heloName = Objects.requireNonNull(heloName);
        this.connectionTimeout = Objects.requireNonNull(connectionTimeout);
        this.timeout = Objects.requireNonNull(timeout);
    }

    public String heloName() {
        return heloName;
    }

    /** How long to wait for the TCP connection. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** How long to wait for any single reply, the greeting included. */
    public Duration timeout() {
        return timeout;
    }
}
