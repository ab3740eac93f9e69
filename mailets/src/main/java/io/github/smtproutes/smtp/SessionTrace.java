package io.github.smtproutes.smtp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;

/**
 * The raw facts of one SMTP session as the client saw them, before any interpretation: the
 * recipients it tried, the phase it reached, the reply (or the lack of one) that ended it, and
 * the recipients the host refused at RCPT with their replies. {@link OutcomeClassifier} turns it
 * into an {@link SmtpOutcome}.
 */
public final class SessionTrace {
    private final String host;
    private final List<MailAddress> recipients;
    private final Map<MailAddress, SmtpReply> rcptRefusals = new LinkedHashMap<>();
    private volatile SmtpPhase phase = SmtpPhase.CONNECT;
    private SmtpReply finalReply = SmtpReply.none("no reply");
    private String localFailure;

    public SessionTrace(String host, List<MailAddress> recipients) {
        this.host = host;
        this.recipients = List.copyOf(recipients);
    }

    public void enter(SmtpPhase phase) {
        this.phase = phase;
    }

    public void end(SmtpReply reply) {
        this.finalReply = reply;
    }

    /** The transaction completed: the final dot was answered 2xx. */
    public void completed(SmtpReply dotReply) {
        this.phase = SmtpPhase.DONE;
        this.finalReply = dotReply;
    }

    /**
     * The transaction failed on this side, not at the host: the message could not be read, or
     * the client failed. {@code what} says what happened.
     */
    public void failedLocally(String what) {
        this.localFailure = what;
        this.finalReply = SmtpReply.none(what);
    }

    public Optional<String> localFailure() {
        return Optional.ofNullable(localFailure);
    }

    public void refusedAtRcpt(MailAddress recipient, SmtpReply reply) {
        rcptRefusals.put(recipient, reply);
    }

    public String host() {
        return host;
    }

    public List<MailAddress> recipients() {
        return recipients;
    }

    public SmtpPhase phase() {
        return phase;
    }

    public SmtpReply finalReply() {
        return finalReply;
    }

    public Optional<SmtpReply> rcptRefusal(MailAddress recipient) {
        return Optional.ofNullable(rcptRefusals.get(recipient));
    }
}
