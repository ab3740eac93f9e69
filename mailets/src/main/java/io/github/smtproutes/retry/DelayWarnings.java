package io.github.smtproutes.retry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.MailetContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.mail.DeliveryErrorAttributes;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * The "your mail is delayed" notice (RFC 3464 Action: delayed), sent once per waiting mail after
 * it has waited the route's {@code delayWarning} (or the mailet's). The notice is a copy of the
 * mail handed to a James processor (shipped: {@code delay-warnings}, a DSNBounce with
 * {@code action=delayed}), carrying the stock {@code delivery-error} attribute with the last
 * reply, so the DSN shows it. Off unless a delay is configured.
 */
public final class DelayWarnings {
    /** ISO-8601 time until which the mail will be retried; set on the notice. */
    public static final AttributeName WILL_RETRY_UNTIL = AttributeName.of("smtp-routes.will-retry-until");
    private static final Logger LOGGER = LoggerFactory.getLogger(DelayWarnings.class);

    private final Optional<Duration> defaultDelay;
    private final String processor;
    private final MailetContext context;

    public DelayWarnings(Optional<Duration> defaultDelay, String processor, MailetContext context) {
        this.defaultDelay = defaultDelay;
        this.processor = processor;
        this.context = context;
    }

    /** No warnings at all. */
    public static DelayWarnings none() {
        return new DelayWarnings(Optional.empty(), "", null);
    }

    /** The wait after which mails of {@code route} warn: the route's own, else the mailet's. */
    public Optional<Duration> delayFor(Route route) {
        return route.delayWarning().or(() -> defaultDelay);
    }

    /** Whether a mail of {@code route} waiting since {@code first} should warn now (once only). */
    public boolean isDue(Mail mail, Route route, Instant first, Instant now) {
        if (RetryState.delayWarned(mail)) {
            return false;
        }
        return delayFor(route).map(delay -> Duration.between(first, now).compareTo(delay) >= 0).orElse(false);
    }

    /**
     * Sends the notice for {@code recipients}. A failure to send is logged, not thrown: the mail
     * itself is already safe in the queue, and a missing notice must not make it retry twice.
     */
    public void send(Mail mail, List<MailAddress> recipients, SmtpReply lastReply, Instant retryUntil) {
        MailImpl notice = null;
        try {
            notice = MailImpl.duplicate(mail);
            notice.setRecipients(recipients);
            notice.setAttribute(new Attribute(DeliveryErrorAttributes.DELIVERY_ERROR, AttributeValue.of(lastReply.text())));
            if (lastReply.hasCode()) {
                notice.setAttribute(new Attribute(DeliveryErrorAttributes.DELIVERY_ERROR_CODE, AttributeValue.of(lastReply.code())));
            }
            notice.setAttribute(new Attribute(WILL_RETRY_UNTIL, AttributeValue.of(retryUntil.toString())));
            // James's spool stores its own copy: this one is released below.
            context.sendMail(notice, processor);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("SMTP Routes could not send the delay warning of {} to processor '{}': {}",
                RetryState.mid(mail), processor, e.getMessage(), e);
        } finally {
            if (notice != null) {
                notice.dispose();
            }
        }
    }
}
