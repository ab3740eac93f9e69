package io.github.smtproutes.verify;

import java.util.Objects;

import io.github.smtproutes.routes.VerifyFailureAction;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * What the SMTP server answers a RCPT once its recipient was verified: accept it, refuse it for
 * good with the destination host's own code and text, or refuse it for now. The one place that
 * turns a {@link Verification} and the route's {@code onVerifyFailure} into an SMTP reply, for
 * the RCPT hook and for WebAdmin's test endpoint alike.
 */
public final class RcptAnswer {
    /** The reply to RCPT when no host gave a definite answer and the route says tempfail. */
    public static final SmtpReply TEMPFAIL = SmtpReply.of(451, "451 4.4.3 Cannot verify the recipient now, try again later");

    private final Verification verification;
    private final boolean accept;
    private final SmtpReply reply;
    private final String action;

    private RcptAnswer(Verification verification, boolean accept, SmtpReply reply, String action) {
        this.verification = verification;
        this.accept = accept;
        this.reply = Objects.requireNonNull(reply);
        this.action = action;
    }

    public static RcptAnswer of(Verification verification, VerifyFailureAction onFailure) {
        switch (verification.verdict()) {
            case ACCEPTED:
                return new RcptAnswer(verification, true, verification.reply(), "accept");
            case REFUSED:
                // The inside server's own words (RFC 5321 4.2: the text is for the sender's user),
                // so the sender learns exactly what a delivery attempt would have told them.
                return new RcptAnswer(verification, false, printable(verification.reply()), "reject");
            default:
                if (onFailure == VerifyFailureAction.ACCEPT) {
                    return new RcptAnswer(verification, true, verification.reply(), "accept unverified");
                }
                // 451 4.4.3 (RFC 3463: directory server failure): the sending server keeps the
                // mail and retries, and by then an inside host may answer. The client is told
                // nothing about our inside hosts.
                return new RcptAnswer(verification, false, TEMPFAIL, "tempfail");
        }
    }

    /** The verification this answer comes from. */
    public Verification verification() {
        return verification;
    }

    /** Whether RCPT is accepted (James answers its usual 250). */
    public boolean accept() {
        return accept;
    }

    /** The refusal to send when not accepted; for an accepted recipient, the reply behind the acceptance. */
    public SmtpReply reply() {
        return reply;
    }

    /** {@code "550"}: the reply code as James's hook result takes it. */
    public String code() {
        return String.valueOf(reply.code());
    }

    /** The text after the code: {@code "5.1.1 No such user"}. */
    public String description() {
        String text = reply.text();
        return text.length() > 4 ? text.substring(4) : "";
    }

    /** accept, reject, tempfail, or "accept unverified", as the mail log and WebAdmin say it. */
    public String action() {
        return action;
    }

    /** A 5xx whose text could not harm the client: printable ASCII only, the code kept. */
    private static SmtpReply printable(SmtpReply reply) {
        StringBuilder text = new StringBuilder(reply.text().length());
        reply.text().chars().forEach(c -> text.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return SmtpReply.of(reply.code(), text.toString());
    }

    @Override
    public String toString() {
        return action + " (" + reply + ")";
    }
}
