package io.github.smtproutes.smtp;

import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome.Disposition;

/**
 * The one place that decides what an SMTP session means. It reads a {@link SessionTrace} and
 * says, for every recipient, whether the host accepted it, whether it must bounce, or whether it
 * goes on to the next host; and whether the host itself failed. The rules are the contract of
 * SMTP Routes (the outcome table of docs/smtp-outcomes.md), in the order a session runs.
 */
public final class OutcomeClassifier {
    private OutcomeClassifier() {
    }

    /**
     * @param possibleDelivery the route's "possible delivery" option: whether a session that
     *     broke after the final dot, with no reply, counts as delivered (to avoid duplicates)
     */
    public static SmtpOutcome classify(SessionTrace trace, boolean possibleDelivery) {
        List<RecipientOutcome> recipients = trace.recipients().stream()
            .map(recipient -> decide(trace, recipient, possibleDelivery))
            .collect(Collectors.toList());
        if (trace.localFailure().isPresent()) {
            // The message could not be read, or this side failed: nothing the host said or did.
            // Its health is untouched, and no other host is tried, since it would fail the same way.
            return SmtpOutcome.localFailure(trace.host(), trace.phase(), trace.finalReply(), recipients);
        }
        boolean hostLevel = recipients.stream()
            .filter(outcome -> outcome.disposition() == Disposition.NEXT_HOST)
            .filter(outcome -> !isRecipientsOwn(trace, outcome))
            .anyMatch(outcome -> isHostLevel(trace.phase(), outcome.reply()));
        boolean routeUse = isRouteUse(trace.phase());
        return new SmtpOutcome(trace.host(), trace.phase(), trace.finalReply(), hostLevel && !routeUse, hostLevel && routeUse, recipients);
    }

    /**
     * What a probe that could not open its session (it carries no mail) says: the host failed, or
     * only the route's use of it when TLS or AUTH failed.
     */
    public static SmtpOutcome classifyFailedProbe(SessionTrace trace) {
        boolean routeUse = isRouteUse(trace.phase());
        return new SmtpOutcome(trace.host(), trace.phase(), trace.finalReply(), !routeUse, routeUse, List.of());
    }

    /**
     * A reply to one RCPT speaks of that recipient, whatever its enhanced code, unless it closes
     * the session (421): Postfix likewise never marks a site dead for a recipient failure
     * (smtp_rcpt_fail), only for a failure of the session.
     */
    private static boolean isRecipientsOwn(SessionTrace trace, RecipientOutcome outcome) {
        return trace.rcptRefusal(outcome.recipient())
            .map(reply -> reply.hasCode() && reply.code() != 421)
            .orElse(false);
    }

    /**
     * A session that failed at STARTTLS or AUTH had its greeting and EHLO answered: the host is
     * alive, and what failed is this route's TLS policy or credentials (a 535, an untrusted
     * certificate). Postfix likewise keeps such a host usable for other deliveries; another route
     * with other settings is not concerned.
     */
    private static boolean isRouteUse(SmtpPhase phase) {
        return phase == SmtpPhase.STARTTLS || phase == SmtpPhase.AUTH;
    }

    private static RecipientOutcome decide(SessionTrace trace, MailAddress recipient, boolean possibleDelivery) {
        // A refusal at RCPT concerns this recipient alone, whatever happened to the session later:
        // 5xx is final for the address (RFC 5321 4.2.1), anything else may work elsewhere.
        var refusal = trace.rcptRefusal(recipient);
        if (refusal.isPresent()) {
            Disposition disposition = isFinalRcptRefusal(refusal.get()) ? Disposition.BOUNCE : Disposition.NEXT_HOST;
            return new RecipientOutcome(recipient, disposition, refusal.get(), waitsForHost(SmtpPhase.RCPT, refusal.get(), true));
        }
        return new RecipientOutcome(recipient, decideForSession(trace, possibleDelivery), trace.finalReply(),
            waitsForHost(trace.phase(), trace.finalReply(), false));
    }

    /**
     * Whether a recipient that goes on waits for the host rather than for itself, which decides
     * whether its retry may come early when the host answers again. RFC 5321 4.5.4.1 says a retry
     * MUST be delayed: a 4xx to a recipient's own RCPT (mailbox full, greylisting) keeps its
     * backoff, unless it is a 421, the server closing the channel. Otherwise the session's end
     * decides, by the same rule that marks a host down ({@link #isHostLevel}): no connection, no
     * reply, a refused greeting or EHLO, 421, or 4.3.x/4.4.x wait for the host; a plain 4xx to this
     * mail's MAIL, DATA or dot waits for the mail.
     */
    public static boolean waitsForHost(SmtpPhase phase, SmtpReply reply, boolean ownReply) {
        if (ownReply) {
            return reply.hasCode() && reply.code() == 421;
        }
        return isHostLevel(phase, reply);
    }

    /**
     * Whether a reply to RCPT refuses the recipient for good: any 5xx but 552. RFC 5321
     * 4.5.3.1.10: old servers answer 552 when a transaction has too many recipients, so a client
     * SHOULD treat a 552 to RCPT as the temporary 452 (Postfix does the same).
     */
    static boolean isFinalRcptRefusal(SmtpReply reply) {
        return reply.isPermanent() && reply.code() != 552;
    }

    private static Disposition decideForSession(SessionTrace trace, boolean possibleDelivery) {
        SmtpReply reply = trace.finalReply();
        switch (trace.phase()) {
            case DONE:
                // The final dot was answered 2xx: the host now owns the mail.
                return Disposition.ACCEPTED;
            case CONNECT:
            case GREETING:
            case EHLO:
            case STARTTLS:
            case AUTH:
                // Nothing about this mail was said yet: even a 5xx greeting (or a refused AUTH)
                // describes the host, so another host of the route may take the mail.
                return Disposition.NEXT_HOST;
            case MAIL:
            case DATA:
            case BODY:
            case DOT:
                // A 5xx to MAIL, DATA or the dot refuses the message itself: every host of the route
                // is the same organisation, so failing over would only repeat the refusal.
                if (reply.isPermanent()) {
                    return Disposition.BOUNCE;
                }
                // Silence after the dot: the host may already hold the mail (RFC 1047). By default
                // we send it again (a possible duplicate beats a possible loss); a route with
                // possibleDelivery="true" prefers no duplicate and counts it as delivered.
                if (trace.phase().afterFinalDot() && !reply.hasCode() && possibleDelivery) {
                    return Disposition.ACCEPTED;
                }
                return Disposition.NEXT_HOST;
            case RCPT:
            default:
                // The session broke during RCPT before this recipient got its own reply.
                return Disposition.NEXT_HOST;
        }
    }

    /**
     * What a call-ahead session (MAIL FROM:&lt;&gt;, RCPT TO, no DATA) says about its recipient.
     * Only the RCPT reply speaks for the address: 2xx takes it, 5xx refuses it for good (RFC 5321
     * 4.2.1; every host of the route is the same organisation, so asking another would only
     * repeat the refusal, as delivery does not fail over on a RCPT 5xx either). Everything else
     * says nothing about the address: a failed connection, greeting, EHLO, STARTTLS or AUTH; a
     * 4xx anywhere; and a refused {@code MAIL FROM:<>}, which only shows a host that will not take
     * bounces (Exim's callout treats it the same way, as "cannot verify"). The next host of the
     * plan may still answer.
     */
    public static CallAheadAnswer classifyCallAhead(SessionTrace trace) {
        SmtpReply reply = trace.finalReply();
        if (trace.phase() == SmtpPhase.RCPT && reply.isPositive()) {
            return new CallAheadAnswer(CallAheadAnswer.Verdict.ACCEPTED, reply, trace.host());
        }
        if (trace.phase() == SmtpPhase.RCPT && reply.isPermanent()) {
            return new CallAheadAnswer(CallAheadAnswer.Verdict.REFUSED, reply, trace.host());
        }
        return new CallAheadAnswer(CallAheadAnswer.Verdict.NO_ANSWER, reply, trace.host());
    }

    /**
     * Whether a transient failure says the host is unwell rather than that this mail or
     * recipient was unlucky: no reply at all, anything before MAIL, a 421 (the server is closing
     * the channel), or enhanced codes 4.3.x (mail system) and 4.4.x (network/routing). A 4.2.2
     * mailbox-full or a 4.7.x greylisting reply says nothing about the host.
     */
    static boolean isHostLevel(SmtpPhase phase, SmtpReply reply) {
        if (!reply.hasCode() || phase.compareTo(SmtpPhase.MAIL) < 0 || reply.code() == 421) {
            return true;
        }
        return reply.enhancedCode()
            .map(code -> code.startsWith("4.3.") || code.startsWith("4.4."))
            .orElse(false);
    }
}
