package io.github.smtproutes.smtp;

import java.util.Objects;

import org.apache.james.core.MailAddress;

/**
 * What one SMTP session decided for one recipient: accepted by the host, to be bounced, or to be
 * tried at the next host; with the reply that decided it, and, for a recipient that goes on,
 * whether it waits for the host to come back ({@link #waitsForHost()}) or for itself.
 */
public final class RecipientOutcome {
    /** The three things that can happen to a recipient after a session with one host. */
    public enum Disposition {
        /** The host took responsibility for the recipient (a 250 to the final dot). */
        ACCEPTED,
        /** A permanent (5xx) refusal that no other host of the route would change. */
        BOUNCE,
        /** Not delivered here, for a reason another host or a later attempt may not have. */
        NEXT_HOST
    }

    private final MailAddress recipient;
    private final Disposition disposition;
    private final SmtpReply reply;
    private final boolean waitsForHost;

    /**
     * An outcome decided without a host having a say about this recipient (no host admitted, no
     * host found, the route's connection cap): a recipient that goes on waits for a host.
     */
    public RecipientOutcome(MailAddress recipient, Disposition disposition, SmtpReply reply) {
        this(recipient, disposition, reply, disposition == Disposition.NEXT_HOST);
    }

    /** @param waitsForHost as decided by {@link OutcomeClassifier}; meaningful for {@link Disposition#NEXT_HOST} only */
    public RecipientOutcome(MailAddress recipient, Disposition disposition, SmtpReply reply, boolean waitsForHost) {
        this.recipient = Objects.requireNonNull(recipient);
        this.disposition = Objects.requireNonNull(disposition);
        this.reply = Objects.requireNonNull(reply);
        this.waitsForHost = waitsForHost && disposition == Disposition.NEXT_HOST;
    }

    public MailAddress recipient() {
        return recipient;
    }

    public Disposition disposition() {
        return disposition;
    }

    public SmtpReply reply() {
        return reply;
    }

    /**
     * Whether this recipient, not delivered, waits for a host-level reason (no connection, a
     * refused greeting or EHLO, a dropped session, no host admitted), so that a host answering
     * again is worth an early retry; false when it waits for a reason of its own (a 4xx to its
     * RCPT, a 4xx to this mail's dot), which keeps its backoff whatever other mail does.
     */
    public boolean waitsForHost() {
        return waitsForHost;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RecipientOutcome)) {
            return false;
        }
        RecipientOutcome that = (RecipientOutcome) o;
        return recipient.equals(that.recipient) && disposition == that.disposition && reply.equals(that.reply)
            && waitsForHost == that.waitsForHost;
    }

    @Override
    public int hashCode() {
        return Objects.hash(recipient, disposition, reply, waitsForHost);
    }

    @Override
    public String toString() {
        return recipient.asString() + " " + disposition + " (" + reply + ")";
    }
}
