package io.github.smtproutes.retry;

import java.time.Instant;
import java.util.Optional;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

/**
 * The retry bookkeeping a waiting mail carries as James attributes, readable in WebAdmin's
 * mail-repository view: how many attempts failed, when the first one was made, when the next is
 * due, the last error, the original mail name (the MID in the mail log), the route, and whether a
 * delay warning went out.
 */
public final class RetryState {
    public static final AttributeName ATTEMPTS = AttributeName.of("smtp-routes.attempts");
    public static final AttributeName FIRST_ATTEMPT = AttributeName.of("smtp-routes.first-attempt");
    public static final AttributeName NEXT_ATTEMPT = AttributeName.of("smtp-routes.next-attempt");
    public static final AttributeName LAST_ERROR = AttributeName.of("smtp-routes.last-error");
    public static final AttributeName LAST_ERROR_CODE = AttributeName.of("smtp-routes.last-error-code");
    public static final AttributeName MID = AttributeName.of("smtp-routes.mid");
    public static final AttributeName ROUTE = AttributeName.of("smtp-routes.route");
    public static final AttributeName DELAY_WARNED = AttributeName.of("smtp-routes.delay-warned");

    private RetryState() {
    }

    public static int attempts(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, ATTEMPTS, Integer.class).orElse(0);
    }

    public static Optional<Instant> firstAttempt(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, FIRST_ATTEMPT, String.class).map(Instant::parse);
    }

    public static String mid(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, MID, String.class).orElse(mail.getName());
    }

    public static Optional<String> route(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, ROUTE, String.class);
    }

    public static Optional<String> lastError(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, LAST_ERROR, String.class);
    }

    public static Optional<Integer> lastErrorCode(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, LAST_ERROR_CODE, Integer.class);
    }

    public static boolean delayWarned(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, DELAY_WARNED, Boolean.class).orElse(false);
    }

    static void write(Mail mail, String mid, String route, int attempts, Instant first, Instant next, String lastError, int lastErrorCode) {
        mail.setAttribute(new Attribute(MID, AttributeValue.of(mid)));
        mail.setAttribute(new Attribute(ROUTE, AttributeValue.of(route)));
        mail.setAttribute(new Attribute(ATTEMPTS, AttributeValue.of(attempts)));
        mail.setAttribute(new Attribute(FIRST_ATTEMPT, AttributeValue.of(first.toString())));
        mail.setAttribute(new Attribute(NEXT_ATTEMPT, AttributeValue.of(next.toString())));
        mail.setAttribute(new Attribute(LAST_ERROR, AttributeValue.of(lastError)));
        if (lastErrorCode > 0) {
            mail.setAttribute(new Attribute(LAST_ERROR_CODE, AttributeValue.of(lastErrorCode)));
        } else {
            mail.removeAttribute(LAST_ERROR_CODE);
        }
    }

    public static void markDelayWarned(Mail mail) {
        mail.setAttribute(new Attribute(DELAY_WARNED, AttributeValue.of(true)));
    }
}
