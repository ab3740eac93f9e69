package io.github.smtproutes.smtp;

import java.util.Objects;

import org.apache.james.core.MailAddress;

/**
 * What one SMTP session decided for one recipient: accepted by the host, to be bounced, or to be
 * tried at the next host; with the reply that decided it.
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

    public RecipientOutcome(MailAddress recipient, Disposition disposition, SmtpReply reply) {
        this.recipient = Objects.requireNonNull(recipient);
        this.disposition = Objects.requireNonNull(disposition);
        this.reply = Objects.requireNonNull(reply);
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

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RecipientOutcome)) {
            return false;
        }
        RecipientOutcome that = (RecipientOutcome) o;
        return recipient.equals(that.recipient) && disposition == that.disposition && reply.equals(that.reply);
    }

    @Override
    public int hashCode() {
        return Objects.hash(recipient, disposition, reply);
    }

    @Override
    public String toString() {
        return recipient.asString() + " " + disposition + " (" + reply + ")";
    }
}
