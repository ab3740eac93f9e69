package io.github.smtproutes.smtp;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome.Disposition;

/**
 * The result of one SMTP session with one destination host, as a value: the phase the session
 * reached, the reply that ended it, what it means for each recipient, and whether the host
 * itself is at fault (refused, silent, dropped, or answered with a host-level 4xx) so that host
 * health can postpone it, or only the route's use of it (its TLS or AUTH was refused), or whether
 * the failure lay on this side. Built only by {@link OutcomeClassifier}.
 */
public final class SmtpOutcome {
    private final String host;
    private final SmtpPhase phase;
    private final SmtpReply reply;
    private final boolean hostFailure;
    private final boolean routeUseFailure;
    private final List<RecipientOutcome> recipients;
    private final boolean busy;
    private final boolean localFailure;

    SmtpOutcome(String host, SmtpPhase phase, SmtpReply reply, boolean hostFailure, List<RecipientOutcome> recipients) {
        this(host, phase, reply, hostFailure, false, recipients, false, false);
    }

    SmtpOutcome(String host, SmtpPhase phase, SmtpReply reply, boolean hostFailure, boolean routeUseFailure,
                List<RecipientOutcome> recipients) {
        this(host, phase, reply, hostFailure, routeUseFailure, recipients, false, false);
    }

    private SmtpOutcome(String host, SmtpPhase phase, SmtpReply reply, boolean hostFailure, boolean routeUseFailure,
                        List<RecipientOutcome> recipients, boolean busy, boolean localFailure) {
        this.host = Objects.requireNonNull(host);
        this.phase = Objects.requireNonNull(phase);
        this.reply = Objects.requireNonNull(reply);
        this.hostFailure = hostFailure;
        this.routeUseFailure = routeUseFailure;
        this.recipients = List.copyOf(recipients);
        this.busy = busy;
        this.localFailure = localFailure;
    }

    /**
     * The transaction failed on this side (the message could not be read, or a bug), so the host
     * is not at fault. The recipients it did not refuse at RCPT stay pending, with the failure
     * as their reply; another host would fail the same way.
     */
    static SmtpOutcome localFailure(String host, SmtpPhase phase, SmtpReply reply, List<RecipientOutcome> recipients) {
        return new SmtpOutcome(host, phase, reply, false, false, recipients, false, true);
    }

    /**
     * The host was not tried because this route already holds its maximum of connections to it:
     * every recipient goes on to the next host, and the host's health is left alone.
     */
    static SmtpOutcome busy(String host, List<MailAddress> recipients, SmtpReply reply) {
        List<RecipientOutcome> next = recipients.stream()
            .map(recipient -> new RecipientOutcome(recipient, Disposition.NEXT_HOST, reply))
            .collect(Collectors.toList());
        return new SmtpOutcome(host, SmtpPhase.CONNECT, reply, false, false, next, true, false);
    }

    /** The destination, "address:port". */
    public String host() {
        return host;
    }

    /** Where the session ended; {@link SmtpPhase#DONE} when the final dot was answered. */
    public SmtpPhase phase() {
        return phase;
    }

    /** The reply that ended the session (the final dot's reply on success). */
    public SmtpReply reply() {
        return reply;
    }

    /** Whether the failure lies with the host rather than with the mail, a recipient or the route's security. */
    public boolean hostFailure() {
        return hostFailure;
    }

    /**
     * Whether the host answered but refused the route's use of it: its STARTTLS or AUTH failed.
     * That concerns the route's TLS policy or credentials, not the host for other routes.
     */
    public boolean routeUseFailure() {
        return routeUseFailure;
    }

    /** Whether the host was skipped as busy (at its connection cap) without being contacted. */
    public boolean busy() {
        return busy;
    }

    /**
     * Whether the transaction failed on this side rather than at the host: the host's health is
     * left alone, and the mail must not go to the next host but to James's error handling,
     * with {@link #reply()} saying what failed.
     */
    public boolean localFailure() {
        return localFailure;
    }

    public List<RecipientOutcome> recipients() {
        return recipients;
    }

    public List<RecipientOutcome> withDisposition(Disposition disposition) {
        return recipients.stream()
            .filter(outcome -> outcome.disposition() == disposition)
            .collect(Collectors.toUnmodifiableList());
    }

    public List<MailAddress> accepted() {
        return addresses(Disposition.ACCEPTED);
    }

    public List<MailAddress> bounced() {
        return addresses(Disposition.BOUNCE);
    }

    public List<MailAddress> forNextHost() {
        return addresses(Disposition.NEXT_HOST);
    }

    /** Whether the session reached the host's SMTP service and it let the transaction start. */
    public boolean sessionFailedBeforeMail() {
        return phase.compareTo(SmtpPhase.MAIL) < 0;
    }

    private List<MailAddress> addresses(Disposition disposition) {
        return withDisposition(disposition).stream()
            .map(RecipientOutcome::recipient)
            .collect(Collectors.toUnmodifiableList());
    }

    @Override
    public String toString() {
        return host + " " + phase + " " + reply + " " + recipients;
    }
}
