package io.github.smtproutes;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.javax.MimeMultipartReport;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

import io.github.smtproutes.delivery.Bouncer;
import io.github.smtproutes.retry.DelayWarnings;
import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Mailet: turns an SmtpRouteDelivery bounce or delay warning into an RFC 3464 delivery status
 * notification to the sender. Stock DSNBounce writes the whole {@code delivery-error} text into
 * {@code Status:} (e.g. "Status: 452 4.2.2 Mailbox full", not an RFC 3463 code) and has no
 * {@code Will-Retry-Until}; this mailet writes {@code Status:} as the reply's enhanced status
 * code, {@code Diagnostic-Code: smtp; <the reply>}, and for {@code action=delayed} the
 * {@code Will-Retry-Until} the retry queue set. Parameters: {@code action} ({@code failed}, the
 * default, or {@code delayed}) and {@code attachment} ({@code headers}, the default, or
 * {@code message}). The handled mail is consumed (GHOST).
 */
public class SmtpRoutesDsn extends GenericMailet {
    private static final Set<String> PARAMETERS = Set.of("action", "attachment");
    private static final DateTimeFormatter RFC_822 = DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.US);
    private static final String CRLF = "\r\n";

    private final DNSService dns;
    private final Clock clock;
    private boolean delayed;
    private boolean attachWholeMessage;

    @Inject
    public SmtpRoutesDsn(DNSService dns, Clock clock) {
        this.dns = dns;
        this.clock = clock;
    }

    @Override
    public void init() throws MessagingException {
        checkInitParameters(PARAMETERS);
        String action = getInitParameter("action", "failed").trim().toLowerCase(Locale.ROOT);
        if (!action.equals("failed") && !action.equals("delayed")) {
            throw new MessagingException("Mailet SmtpRoutesDsn: action must be 'failed' or 'delayed', got '" + action + "'");
        }
        delayed = action.equals("delayed");
        String attachment = getInitParameter("attachment", "headers").trim().toLowerCase(Locale.ROOT);
        if (!attachment.equals("headers") && !attachment.equals("message")) {
            throw new MessagingException("Mailet SmtpRoutesDsn: attachment must be 'headers' or 'message', got '" + attachment + "'");
        }
        attachWholeMessage = attachment.equals("message");
    }

    @Override
    public void service(Mail mail) throws MessagingException {
        // RFC 3461 6.2 / RFC 5321 6.1: never notify a null reverse-path (that would loop bounces).
        if (mail.hasSender() && !mail.getRecipients().isEmpty()) {
            MailImpl dsn = MailImpl.builder()
                .name(mail.getName() + (delayed ? "-delayed-dsn" : "-dsn"))
                .sender(MaybeSender.nullSender())
                .addRecipient(mail.getMaybeSender().get())
                .mimeMessage(dsnMessage(mail))
                .build();
            try {
                getMailetContext().sendMail(dsn);
            } finally {
                dsn.dispose();
            }
        }
        mail.setState(Mail.GHOST);
    }

    @Override
    public String getMailetInfo() {
        return "SmtpRoutesDsn: RFC 3464 failed/delayed notifications for SMTP Routes";
    }

    private MimeMessage dsnMessage(Mail mail) throws MessagingException {
        SmtpReply reply = lastReply(mail);
        MimeMultipartReport report = new MimeMultipartReport();
        report.setReportType("delivery-status");
        report.addBodyPart(textPart(mail, reply));
        report.addBodyPart(statusPart(mail, reply));
        report.addBodyPart(originalPart(mail));

        MimeMessage message = new MimeMessage(Session.getDefaultInstance(System.getProperties()));
        message.setFrom(getMailetContext().getPostmaster().toInternetAddress().orElseThrow());
        message.setRecipients(javax.mail.Message.RecipientType.TO, mail.getMaybeSender().get().asString());
        message.setSubject((delayed ? "Delayed Mail (still being retried): " : "Undelivered Mail Returned to Sender: ")
            + Optional.ofNullable(mail.getMessage().getSubject()).orElse(""));
        message.setHeader("Auto-Submitted", "auto-replied");
        message.setSentDate(java.util.Date.from(clock.instant()));
        message.setContent(report);
        message.setHeader("Content-Type", report.getContentType());
        message.saveChanges();
        return message;
    }

    private MimeBodyPart textPart(Mail mail, SmtpReply reply) throws MessagingException {
        StringBuilder text = new StringBuilder();
        text.append("This is the mail server at ").append(reportingMta()).append('.').append(CRLF).append(CRLF);
        if (delayed) {
            text.append("Your message has not been delivered yet to the recipients below. This is only a warning:").append(CRLF)
                .append("the server keeps trying").append(willRetryUntil(mail).map(until -> " until " + rfc822(until)).orElse(""))
                .append(", you do not need to send the message again.").append(CRLF);
        } else {
            text.append("Your message could not be delivered to the recipients below.").append(CRLF);
        }
        text.append(CRLF);
        Optional.ofNullable(mail.getMessage().getSubject()).ifPresent(subject -> text.append("Original subject: ").append(subject).append(CRLF));
        for (MailAddress recipient : mail.getRecipients()) {
            text.append("  <").append(recipient.asString()).append(">: ").append(reply.text()).append(CRLF);
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setText(text.toString(), "UTF-8");
        return part;
    }

    /** The machine-readable part (RFC 3464 section 2): one per-message block, one block per recipient. */
    private MimeBodyPart statusPart(Mail mail, SmtpReply reply) throws MessagingException {
        StringBuilder status = new StringBuilder();
        status.append("Reporting-MTA: dns; ").append(reportingMta()).append(CRLF);
        RetryState.firstAttempt(mail).ifPresent(first -> status.append("Arrival-Date: ").append(rfc822(first)).append(CRLF));
        String lastAttempt = rfc822(clock.instant());
        for (MailAddress recipient : mail.getRecipients()) {
            status.append(CRLF);
            status.append("Final-Recipient: rfc822; ").append(recipient.asString()).append(CRLF);
            status.append("Action: ").append(delayed ? "delayed" : "failed").append(CRLF);
            status.append("Status: ").append(statusCode(reply)).append(CRLF);
            // A reply from the destination is an SMTP diagnostic; a connection failure is not.
            status.append("Diagnostic-Code: ").append(reply.hasCode() ? "smtp; " : "X-SMTP-Routes; ").append(reply.text()).append(CRLF);
            status.append("Last-Attempt-Date: ").append(lastAttempt).append(CRLF);
            if (delayed) {
                willRetryUntil(mail).ifPresent(until -> status.append("Will-Retry-Until: ").append(rfc822(until)).append(CRLF));
            }
        }
        MimeBodyPart part = new MimeBodyPart();
        part.setContent(status.toString(), "message/delivery-status");
        part.setHeader("Content-Type", "message/delivery-status");
        return part;
    }

    private MimeBodyPart originalPart(Mail mail) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        if (attachWholeMessage) {
            part.setContent(mail.getMessage(), "message/rfc822");
        } else {
            String headers = java.util.Collections.list(mail.getMessage().getAllHeaderLines()).stream()
                .map(String.class::cast).collect(Collectors.joining(CRLF, "", CRLF));
            part.setContent(headers, "text/rfc822-headers");
            part.setHeader("Content-Type", "text/rfc822-headers");
        }
        return part;
    }

    /**
     * RFC 3464 Status is an RFC 3463 code: the reply's enhanced code when it has one; else the
     * reply's class with detail 0.0; 4.4.1 ("no answer from host") when there was no reply.
     */
    static String statusCode(SmtpReply reply) {
        Optional<String> enhanced = reply.enhancedCode();
        if (enhanced.isPresent()) {
            return enhanced.get();
        }
        if (reply.hasCode()) {
            return (reply.code() / 100) + ".0.0";
        }
        return "4.4.1";
    }

    private static SmtpReply lastReply(Mail mail) {
        String text = AttributeUtils.getValueAndCastFromMail(mail, Bouncer.DELIVERY_ERROR, String.class)
            .or(() -> RetryState.lastError(mail))
            .orElse("no reply recorded");
        return SmtpReply.parse(text);
    }

    private static Optional<Instant> willRetryUntil(Mail mail) {
        return AttributeUtils.getValueAndCastFromMail(mail, DelayWarnings.WILL_RETRY_UNTIL, String.class).map(Instant::parse);
    }

    private String reportingMta() {
        try {
            return dns.getHostName(dns.getLocalHost());
        } catch (Exception e) {
            return "localhost";
        }
    }

    private static String rfc822(Instant instant) {
        return RFC_822.format(ZonedDateTime.ofInstant(instant, ZoneId.systemDefault()));
    }
}
