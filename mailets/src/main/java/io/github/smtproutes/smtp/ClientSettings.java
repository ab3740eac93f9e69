package io.github.smtproutes.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * The mailet-wide settings of the SMTP client: the name it gives in EHLO and its time bounds.
 * Per-route settings (TLS, AUTH, possible delivery) travel with the route.
 *
 * <p>The bounds follow RFC 5321 4.5.3.2 and Postfix: an ordinary reply may take {@code timeout}
 * (Postfix's smtp_*_timeout are 300 s), the reply to the final dot {@code dataTimeout}
 * (RFC 5321 4.5.3.2.6 asks for 10 minutes: the receiver may scan the whole mail before it
 * answers; Postfix's smtp_data_done_timeout is 600 s), each write to the socket
 * {@code writeTimeout} (Postfix's smtp_data_xfer_timeout, 180 s: a receiver that stops reading
 * must not hold a thread for ever), and a whole transaction, from MAIL FROM to the reply to the
 * dot, {@code transactionTimeout}. The last one keeps a delivery well inside the time a James
 * spool may hold a mail (RabbitMQ requeues a message after 30 minutes).
 */
public final class ClientSettings {
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofMinutes(3);
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private final String heloName;
    private final Duration connectionTimeout;
    private final Duration timeout;
    private final Duration dataTimeout;
    private final Duration writeTimeout;
    private final Duration transactionTimeout;

    /** Settings with the default data, write and transaction bounds. */
    public ClientSettings(String heloName, Duration connectionTimeout, Duration timeout) {
        this(heloName, connectionTimeout, timeout, DEFAULT_DATA_TIMEOUT, DEFAULT_WRITE_TIMEOUT,
            longest(DEFAULT_TRANSACTION_TIMEOUT, timeout.plusSeconds(1)));
    }

    /**
     * @throws IllegalArgumentException when the transaction bound does not exceed every other
     *     bound: it would cut short a transaction that each single step allows
     */
    public ClientSettings(String heloName, Duration connectionTimeout, Duration timeout, Duration dataTimeout,
                          Duration writeTimeout, Duration transactionTimeout) {
        this.heloName = Objects.requireNonNull(heloName);
        this.connectionTimeout = Objects.requireNonNull(connectionTimeout);
        this.timeout = Objects.requireNonNull(timeout);
        this.dataTimeout = Objects.requireNonNull(dataTimeout);
        this.writeTimeout = Objects.requireNonNull(writeTimeout);
        this.transactionTimeout = Objects.requireNonNull(transactionTimeout);
        Duration longestStep = longest(timeout, longest(dataTimeout, writeTimeout));
        if (transactionTimeout.compareTo(longestStep) <= 0) {
            throw new IllegalArgumentException("transactionTimeout (" + transactionTimeout.toMillis()
                + " ms) must be longer than timeout, dataTimeout and writeTimeout (the longest is " + longestStep.toMillis() + " ms)");
        }
    }

    public String heloName() {
        return heloName;
    }

    /** How long to wait for the TCP connection. */
    public Duration connectionTimeout() {
        return connectionTimeout;
    }

    /** How long to wait for any single reply other than the final dot's, the greeting included. */
    public Duration timeout() {
        return timeout;
    }

    /** How long to wait for the reply to the final dot. */
    public Duration dataTimeout() {
        return dataTimeout;
    }

    /** How long one write to the socket may block (the receiver not reading) before the session is dropped. */
    public Duration writeTimeout() {
        return writeTimeout;
    }

    /** How long one mail transaction may take, from MAIL FROM to the reply to the final dot. */
    public Duration transactionTimeout() {
        return transactionTimeout;
    }

    private static Duration longest(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
