package io.github.smtproutes.smtp;

import java.util.List;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.Route;

/**
 * Delivers one mail to one destination host and reports the {@link SmtpOutcome}. It opens a
 * session (or takes one from a pool), runs the transaction, writes the per-recipient mail-log
 * lines, and leaves all judgement to {@link OutcomeClassifier}.
 */
public final class SmtpHostClient {
    private final ClientSettings settings;
    private final ConnectionPool pool;

    /** A client with a pool of default settings (for tests and tools). */
    public SmtpHostClient(ClientSettings settings) {
        this(settings, ConnectionPool.withDefaults(java.time.Clock.systemUTC()));
    }

    public SmtpHostClient(ClientSettings settings, ConnectionPool pool) {
        this.settings = settings;
        this.pool = pool;
    }

    public ClientSettings settings() {
        return settings;
    }

    public ConnectionPool pool() {
        return pool;
    }

    public SmtpOutcome deliver(HostAddress host, Route route, String domain, OutboundMessage message, List<MailAddress> recipients) {
        Optional<ConnectionPool.Permit> permit = pool.permit(host, route);
        if (permit.isEmpty()) {
            // The route already holds its maximum of sessions with this host: not the host's fault,
            // so the mail simply moves on to the next host without marking this one down.
            return SmtpOutcome.busy(host.endpoint(), recipients,
                SmtpReply.none("host busy: route " + route.domain() + " at its connection limit"));
        }
        try (ConnectionPool.Permit held = permit.get()) {
            Optional<SmtpOutcome> onPooled = deliverOnPooledConnection(host, route, message, recipients);
            if (onPooled.isPresent()) {
                return onPooled.get();
            }
            return deliverOnNewConnection(host, route, domain, message, recipients);
        }
    }

    /**
     * Opens a session to {@code host} without a mail, to learn whether it is back: greeting, EHLO,
     * and STARTTLS and AUTH as the route asks. A session that opens goes to the pool for the next
     * mail. Empty when it opened; else the outcome of the failed session. Its mail-log lines are
     * marked as a probe's, so that they do not read like a failed delivery.
     */
    public Optional<SmtpOutcome> probe(HostAddress host, Route route, String domain) {
        SessionTrace trace = new SessionTrace(host.endpoint(), List.of());
        Optional<SmtpConnection> opened = SmtpConnection.open(host, route, settings, domain, trace, true);
        if (opened.isEmpty()) {
            return Optional.of(OutcomeClassifier.classifyFailedProbe(trace));
        }
        pool.opened(host);
        pool.giveBack(host, route, opened.get());
        return Optional.empty();
    }

    /**
     * Tries an idle session of the pool. Empty when there was none, or when it turned out stale
     * (RSET failed, or the session broke or got 421 before the final dot): a server may close a
     * kept session at any time, so that says nothing about the host, and the mail gets one fresh
     * connection instead.
     */
    private Optional<SmtpOutcome> deliverOnPooledConnection(HostAddress host, Route route, OutboundMessage message, List<MailAddress> recipients) {
        Optional<SmtpConnection> pooled = pool.take(host, route);
        if (pooled.isEmpty()) {
            return Optional.empty();
        }
        SmtpConnection connection = pooled.get();
        // The transaction starts with RSET, which proves the session alive and clears any half
        // transaction; a session that fails it ends before the dot and is replaced below.
        SessionTrace trace = new SessionTrace(host.endpoint(), recipients);
        trace.enter(SmtpPhase.MAIL);
        MailLog.deliveryStart(connection.dcid(), message.mid(), message.rids(recipients));
        connection.send(message, recipients, settings, trace);
        SmtpOutcome outcome = OutcomeClassifier.classify(trace, route.possibleDelivery());
        if (sessionEndedBeforeTheDot(outcome)) {
            connection.abort();
            return Optional.empty();
        }
        finish(host, route, connection, outcome);
        logTransaction(connection.dcid(), message, outcome);
        return Optional.of(outcome);
    }

    private SmtpOutcome deliverOnNewConnection(HostAddress host, Route route, String domain, OutboundMessage message, List<MailAddress> recipients) {
        SessionTrace trace = new SessionTrace(host.endpoint(), recipients);
        Optional<SmtpConnection> opened = SmtpConnection.open(host, route, settings, domain, trace);
        if (opened.isEmpty()) {
            return OutcomeClassifier.classify(trace, route.possibleDelivery());
        }
        pool.opened(host);
        SmtpConnection connection = opened.get();
        MailLog.deliveryStart(connection.dcid(), message.mid(), message.rids(recipients));
        connection.send(message, recipients, settings, trace);
        SmtpOutcome outcome = OutcomeClassifier.classify(trace, route.possibleDelivery());
        finish(host, route, connection, outcome);
        logTransaction(connection.dcid(), message, outcome);
        return outcome;
    }

    /** Pools a session the host left in a clean state; drops any other. */
    private void finish(HostAddress host, Route route, SmtpConnection connection, SmtpOutcome outcome) {
        if (reusable(outcome) && connection.isOpen()) {
            pool.giveBack(host, route, connection);
        } else {
            connection.abort();
        }
    }

    /**
     * A session is worth keeping when its transaction ended with a definite reply that does not
     * condemn the session: the final dot answered, or a refusal of this mail (a 5xx, a 4xx that is
     * about the mail or a recipient). No reply, 421 and host-level 4xx close it (RFC 5321 3.8).
     */
    private static boolean reusable(SmtpOutcome outcome) {
        if (outcome.localFailure()) {
            // Abandoned in the middle of the content: the session is out of step for good.
            return false;
        }
        if (outcome.phase() == SmtpPhase.DONE) {
            return true;
        }
        return outcome.reply().hasCode() && !outcome.hostFailure() && !outcome.sessionFailedBeforeMail();
    }

    /**
     * The reused session ended before the final dot, silently or with 421 (a server closing a
     * session it had kept long enough): nothing was delivered, so a fresh session may try again.
     */
    private static boolean sessionEndedBeforeTheDot(SmtpOutcome outcome) {
        if (outcome.localFailure()) {
            // This side failed: a fresh session would fail the same way.
            return false;
        }
        boolean closing = !outcome.reply().hasCode() || outcome.reply().code() == 421;
        return outcome.phase() != SmtpPhase.DONE && !outcome.phase().afterFinalDot() && closing;
    }

    private static void logTransaction(long dcid, OutboundMessage message, SmtpOutcome outcome) {
        if (outcome.localFailure()) {
            MailLog.localFailure(dcid, message.mid(), message.rids(outcome.forNextHost()), outcome.reply().text());
        }
        List<MailAddress> accepted = outcome.accepted();
        if (!accepted.isEmpty()) {
            if (outcome.phase() == SmtpPhase.DONE) {
                MailLog.messageDone(dcid, message.mid(), message.rids(accepted), outcome.reply().text());
            } else {
                MailLog.possibleDelivery(dcid, message.mid(), message.rids(accepted), outcome.reply().text());
            }
        }
        for (RecipientOutcome next : outcome.localFailure() ? List.<RecipientOutcome>of() : outcome.withDisposition(RecipientOutcome.Disposition.NEXT_HOST)) {
            SmtpReply reply = next.reply();
            MailLog.delayed(dcid, message.mid(), message.rid(next.recipient()), logCode(reply), reply.enhancedCode().orElse(null), reply.text());
        }
        for (RecipientOutcome bounced : outcome.withDisposition(RecipientOutcome.Disposition.BOUNCE)) {
            SmtpReply reply = bounced.reply();
            MailLog.bounced(dcid, message.mid(), message.sender().asString(), bounced.recipient().asString(),
                message.rid(bounced.recipient()), logCode(reply), reply.enhancedCode().orElse(null), reply.text());
        }
    }

    private static int logCode(SmtpReply reply) {
        return reply.hasCode() ? reply.code() : MailLog.NO_REPLY;
    }
}
