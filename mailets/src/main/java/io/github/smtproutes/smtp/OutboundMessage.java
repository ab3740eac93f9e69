package io.github.smtproutes.smtp;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;

/**
 * A mail as the SMTP client needs it: its id for the log (MID), the envelope sender, the
 * message, and the full recipient list of the mail as received, whose positions are the
 * recipient ids (RID) the log shows.
 */
public final class OutboundMessage {
    private final String mid;
    private final MaybeSender sender;
    private final MimeMessage message;
    private final List<MailAddress> allRecipients;

    public OutboundMessage(String mid, MaybeSender sender, MimeMessage message, List<MailAddress> allRecipients) {
        this.mid = Objects.requireNonNull(mid);
        this.sender = Objects.requireNonNull(sender);
        this.message = Objects.requireNonNull(message);
        this.allRecipients = List.copyOf(allRecipients);
    }

    public String mid() {
        return mid;
    }

    public MaybeSender sender() {
        return sender;
    }

    /** The reverse path for MAIL FROM: "&lt;&gt;" for the null sender. */
    public String reversePath() {
        return sender.isNullSender() ? "<>" : sender.asString();
    }

    public MimeMessage message() {
        return message;
    }

    public int rid(MailAddress recipient) {
        return allRecipients.indexOf(recipient);
    }

    public List<Integer> rids(List<MailAddress> recipients) {
        return recipients.stream().map(this::rid).collect(Collectors.toList());
    }
}
