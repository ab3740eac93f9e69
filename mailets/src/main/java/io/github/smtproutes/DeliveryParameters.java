package io.github.smtproutes;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import javax.mail.MessagingException;

import io.github.smtproutes.dns.MxResolver;
import io.github.smtproutes.nodes.NodeLayout;
import io.github.smtproutes.retry.RetryScheduler;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.smtp.ClientSettings;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;

/**
 * SmtpRouteDelivery's init parameters, read once with their defaults into the settings each part
 * needs (SMTP client, retry policy and scheduler, host backoff, connection pool, delay warnings).
 * A bad value is one clear start-up error naming the mailet and the parameter. The parameter table of
 * docs/configuration.md lists the same names and defaults (DocsTest checks the names).
 */
final class DeliveryParameters {
    static final Set<String> NAMES = Set.of("routes", "retryRepository", "bounceProcessor",
        "connectionTimeout", "timeout", "dataTimeout", "writeTimeout", "transactionTimeout", "heloName",
        "retryInitial", "retryMax", "retryMaxAttempts", "retryMaxAge",
        "retryInterval", "retryThreads", "retryBatch", "delayWarning", "delayWarningProcessor",
        "hostDownInitial", "hostDownMax", "hostVerdictWait", "hostVerdictWaiters", "connectionIdle", "connectionMaxMessages",
        "maxConnectionsPerHost", "hostBusyWait", "retryNodeId", "retryNodeLease", "dnsServers");
    static final String DEFAULT_RETRY_REPOSITORY = "memory://var/mail/smtp-routes/retry/";
    static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(30);
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    static final String DEFAULT_DELAY_WARNING_PROCESSOR = "delay-warnings";

    private final MailetParameters parameters;

    DeliveryParameters(String mailetName, Function<String, String> values) {
        this.parameters = new MailetParameters(mailetName, values);
    }

    String routes() {
        return SmtpRoutes.routeFileLocation(parameters.string("routes").orElse(null));
    }

    String retryRepository() {
        return parameters.string("retryRepository", DEFAULT_RETRY_REPOSITORY);
    }

    /**
     * This node's place among several James nodes sharing the retry store; empty for one node.
     * The lease must outlast two renewals, which happen every retryInterval.
     */
    Optional<NodeLayout> retryNodes() throws MessagingException {
        Optional<String> nodeId = parameters.string("retryNodeId");
        Duration lease = parameters.duration("retryNodeLease", NodeLayout.DEFAULT_LEASE);
        if (nodeId.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(NodeLayout.of(retryRepository(), nodeId.get(), lease, retrySchedule().interval()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
    }

    Optional<String> bounceProcessor() {
        return parameters.string("bounceProcessor");
    }

    ClientSettings clientSettings(Supplier<String> defaultHeloName) throws MessagingException {
        try {
            return new ClientSettings(
                parameters.string("heloName").orElseGet(defaultHeloName),
                parameters.duration("connectionTimeout", DEFAULT_CONNECTION_TIMEOUT),
                parameters.duration("timeout", DEFAULT_TIMEOUT),
                parameters.duration("dataTimeout", ClientSettings.DEFAULT_DATA_TIMEOUT),
                parameters.duration("writeTimeout", ClientSettings.DEFAULT_WRITE_TIMEOUT),
                parameters.duration("transactionTimeout", ClientSettings.DEFAULT_TRANSACTION_TIMEOUT));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: timeout parameters: " + e.getMessage(), e);
        }
    }

    RetryPolicy retryPolicy() throws MessagingException {
        RetryPolicy defaults = RetryPolicy.DEFAULT;
        try {
            return new RetryPolicy(
                parameters.duration("retryInitial", defaults.initial()),
                parameters.duration("retryMax", defaults.max()),
                parameters.integer("retryMaxAttempts", defaults.maxAttempts(), 1, 100_000),
                parameters.duration("retryMaxAge", defaults.maxAge()));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: retry parameters: " + e.getMessage(), e);
        }
    }

    RetryScheduler.Settings retrySchedule() throws MessagingException {
        RetryScheduler.Settings defaults = RetryScheduler.Settings.DEFAULT;
        try {
            return new RetryScheduler.Settings(
                parameters.duration("retryInterval", defaults.interval()),
                parameters.integer("retryThreads", defaults.threads(), 1, 256),
                parameters.integer("retryBatch", defaults.batch(), 1, 100_000));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: retry parameters: " + e.getMessage(), e);
        }
    }

    /**
     * Host health is shared by the whole James, so the last SmtpRouteDelivery to start sets the
     * backoff; a mailet without the parameters leaves it as it is.
     */
    void configureHostDownBackoff(HostFailures failures) throws MessagingException {
        if (parameters.string("hostDownInitial").isEmpty() && parameters.string("hostDownMax").isEmpty()) {
            return;
        }
        try {
            failures.configureBackoff(
                parameters.duration("hostDownInitial", HostFailures.DEFAULT_INITIAL_BACKOFF),
                parameters.duration("hostDownMax", HostFailures.DEFAULT_MAX_BACKOFF));
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: " + e.getMessage(), e);
        }
    }

    /** Shared like the backoff: the last SmtpRouteDelivery that sets them wins. */
    void configureHostVerdictWait(HostAdmission admission) throws MessagingException {
        if (parameters.string("hostVerdictWait").isEmpty() && parameters.string("hostVerdictWaiters").isEmpty()) {
            return;
        }
        admission.configureWait(
            parameters.duration("hostVerdictWait", HostAdmission.DEFAULT_VERDICT_WAIT),
            parameters.integer("hostVerdictWaiters", HostAdmission.DEFAULT_MAX_WAITERS, 0, 10_000));
    }

    ConnectionPool connectionPool(Clock clock) throws MessagingException {
        return new ConnectionPool(
            parameters.duration("connectionIdle", ConnectionPool.DEFAULT_IDLE_TIME),
            parameters.integer("connectionMaxMessages", ConnectionPool.DEFAULT_MAX_MESSAGES, 1, 100_000),
            parameters.integer("maxConnectionsPerHost", ConnectionPool.DEFAULT_MAX_PER_HOST, 1, 1_000),
            parameters.duration("hostBusyWait", ConnectionPool.DEFAULT_BUSY_WAIT),
            clock);
    }

    /** USEDNS asks the servers in {@code dnsServers}, else the resolver of James's DNS service. */
    MxResolver mxResolver() throws MessagingException {
        Optional<String> servers = parameters.string("dnsServers");
        if (servers.isEmpty()) {
            return MxResolver.usingJamesResolver();
        }
        try {
            return MxResolver.usingServers(servers.get());
        } catch (IllegalArgumentException e) {
            throw new MessagingException("Mailet SmtpRouteDelivery: parameter dnsServers: " + e.getMessage(), e);
        }
    }

    Optional<Duration> delayWarning() throws MessagingException {
        return parameters.optionalDuration("delayWarning");
    }

    String delayWarningProcessor() {
        return parameters.string("delayWarningProcessor", DEFAULT_DELAY_WARNING_PROCESSOR);
    }

    boolean delayWarningProcessorNamed() {
        return parameters.string("delayWarningProcessor").isPresent();
    }
}
