package io.github.smtproutes.delivery;

import java.util.Objects;

import javax.mail.MessagingException;

import org.apache.james.queue.api.MailQueue;
import org.apache.james.queue.api.MailQueueFactory;
import org.apache.mailet.Mail;

import io.github.smtproutes.retry.RetryScheduler;

/**
 * Hands a waiting mail whose route a reload removed back to James's spool, to be processed from
 * the {@code root} processor like newly received mail, with the rights it came with and no more.
 * The mailet context's {@code sendMail} is not used on purpose: it marks the mail as sent by a
 * mailet, which the stock {@code relay-allowed} matcher ({@code SentByMailet}) trusts, so mail an
 * outsider sent to a domain that was inbound would then be relayed anywhere. From the spool, the
 * mail keeps only what James recorded when it arrived (the SMTP AUTH user, the client's address,
 * a genuine mailet's mark on a bounce): an authenticated user's or an authorised network's mail
 * still relays, an outsider's goes to {@code relay-denied}.
 */
public final class ReturnToSpool implements RetryScheduler.ReturnToJames {
    private final MailQueue spool;

    public ReturnToSpool(MailQueueFactory<?> queues) {
        // The queue the mailet container reads; createQueue returns the existing one.
        this.spool = Objects.requireNonNull(queues, "queues").createQueue(MailQueueFactory.SPOOL);
    }

    @Override
    public void send(Mail mail) throws MessagingException {
        mail.setState(Mail.DEFAULT);
        // Due at once, no delay: a delayed enqueue is ignored by clustered (RabbitMQ) queues anyway.
        spool.enQueue(mail);
    }
}
