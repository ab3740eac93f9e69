package io.github.smtproutes.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.core.Domain;
import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;

/** Sends test mails into James over SMTP, each with a unique subject to find it again. */
public final class Mails {
    public static final String SENDER = "sender@senders.test";

    private Mails() {
    }

    public static String uniqueSubject(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /** Sends one mail and returns its subject. */
    public static String send(int smtpPort, String subjectPrefix, String... recipients) {
        return sendFrom(smtpPort, SENDER, subjectPrefix, recipients);
    }

    public static String sendFrom(int smtpPort, String sender, String subjectPrefix, String... recipients) {
        String subject = uniqueSubject(subjectPrefix);
        String message = "From: " + sender + "\r\n"
            + "To: " + String.join(", ", recipients) + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@senders.test>\r\n"
            + "\r\n"
            + "Body of " + subject + "\r\n";
        try (SMTPMessageSender smtp = new SMTPMessageSender(Domain.LOCALHOST.asString())) {
            smtp.connect("127.0.0.1", Port.of(smtpPort)).sendMessageWithHeaders(sender, List.of(recipients), message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return subject;
    }

    /** The mails {@code host} received whose Subject is {@code subject}. */
    public static List<ReceivedMail> withSubject(ScriptedSmtpServer host, String subject) {
        return host.received().stream()
            .filter(mail -> mail.header("Subject").orElse("").equals(subject))
            .collect(Collectors.toList());
    }

    /** The mails {@code senders} received that speak of {@code subject}: the DSNs about that mail. */
    public static List<ReceivedMail> dsnsAbout(ScriptedSmtpServer senders, String subject) {
        return senders.received().stream().filter(mail -> mail.data().contains(subject)).collect(Collectors.toList());
    }
}
