package io.github.smtproutes.delivery;

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

import io.github.smtproutes.mail.DeliveryErrorAttributes;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Hands refused recipients back to James as a bounce. The bounce carries the attributes stock
 * RemoteDelivery sets ({@code delivery-error}, {@code delivery-error-code},
 * {@code is-delivery-permanent-error}), so the stock matchers and DSNBounce work unchanged. With
 * a {@code bounceProcessor} the mail goes there; without, James's own bounce is used.
 */
public final class Bouncer {
    public static final AttributeName DELIVERY_ERROR = DeliveryErrorAttributes.DELIVERY_ERROR;
    public static final AttributeName DELIVERY_ERROR_CODE = DeliveryErrorAttributes.DELIVERY_ERROR_CODE;
    public static final AttributeName IS_DELIVERY_PERMANENT_ERROR = DeliveryErrorAttributes.IS_DELIVERY_PERMANENT_ERROR;

    private final MailetContext context;
    private final Optional<String> bounceProcessor;

    public Bouncer(MailetContext context, Optional<String> bounceProcessor) {
        this.context = context;
        this.bounceProcessor = bounceProcessor;
    }

    /**
     * Bounces a copy of {@code mail} for {@code recipients}.
     *
     * @param permanent false when a temporary failure lasted past the retry limits
     */
    public void bounce(Mail mail, List<MailAddress> recipients, SmtpReply reply, boolean permanent) throws MessagingException {
        MailImpl bounce = MailImpl.duplicate(mail);
        try {
            bounce.setRecipients(recipients);
            bounce.setAttribute(new Attribute(DELIVERY_ERROR, AttributeValue.of(reply.text())));
            if (reply.hasCode()) {
                bounce.setAttribute(new Attribute(DELIVERY_ERROR_CODE, AttributeValue.of(reply.code())));
            }
            bounce.setAttribute(new Attribute(IS_DELIVERY_PERMANENT_ERROR, AttributeValue.of(permanent)));
            if (bounceProcessor.isPresent()) {
                context.sendMail(bounce, bounceProcessor.get());
            } else {
                context.bounce(bounce, explanation(recipients, reply, permanent));
            }
        } finally {
            // James's spool queued a copy of its own: this one (a temporary file for a large
            // message) is released now rather than when the garbage collector finds it.
            bounce.dispose();
        }
    }

    private static String explanation(List<MailAddress> recipients, SmtpReply reply, boolean permanent) {
        StringBuilder text = new StringBuilder();
        text.append("Your message could not be delivered to the following recipients.\n");
        text.append(permanent
            ? "The destination refused it permanently.\n\n"
            : "Delivery kept failing temporarily until the retry limit was reached.\n\n");
        recipients.forEach(recipient -> text.append("  ").append(recipient.asString()).append('\n'));
        text.append("\nThe destination said: ").append(reply.text()).append('\n');
        return text.toString();
    }
}
