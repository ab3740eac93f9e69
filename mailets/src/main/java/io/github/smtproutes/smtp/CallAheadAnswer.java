package io.github.smtproutes.smtp;

import java.util.Objects;

/**
 * What one destination host said when asked whether it takes a recipient (SMTP call-ahead):
 * the {@link Verdict}, the reply that decided it (or a no-reply value saying what happened), and
 * the host's endpoint. {@link OutcomeClassifier#classifyCallAhead} makes it from a session trace.
 */
public final class CallAheadAnswer {
    /** The meaning of a host's answer for the recipient. */
    public enum Verdict {
        /** RCPT got 2xx: the host takes mail for this address. */
        ACCEPTED,
        /** RCPT got 5xx: the host refuses this address for good. */
        REFUSED,
        /** Nothing definite (4xx, no reply, a failed session): another host may answer. */
        NO_ANSWER
    }

    private final Verdict verdict;
    private final SmtpReply reply;
    private final String host;

    public CallAheadAnswer(Verdict verdict, SmtpReply reply, String host) {
        this.verdict = Objects.requireNonNull(verdict, "verdict");
        this.reply = Objects.requireNonNull(reply, "reply");
        this.host = Objects.requireNonNull(host, "host");
    }

    public Verdict verdict() {
        return verdict;
    }

    public SmtpReply reply() {
        return reply;
    }

    /** "ip:port" of the host that answered. */
    public String host() {
        return host;
    }

    @Override
    public String toString() {
        return verdict + " by " + host + ": " + reply;
    }
}
