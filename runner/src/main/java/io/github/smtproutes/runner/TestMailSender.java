package io.github.smtproutes.runner;

import java.io.PrintStream;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import com.sun.mail.smtp.SMTPTransport;

/**
 * {@code ./run-james send}: sends test mails to the local James over SMTP with javax.mail, so the
 * demo needs no mail client on the machine. Sent from 127.0.0.1, they may relay (conf/smtpserver.xml
 * authorizes 127.0.0.0/8). Prints James's reply to each message.
 */
final class TestMailSender {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final SendOptions options;
    private final int port;
    private final PrintStream out;

    TestMailSender(SendOptions options, int port, PrintStream out) {
        this.options = options;
        this.port = port;
        this.out = out;
    }

    /** Sends {@code --count} mails over one SMTP connection. */
    void send() {
        Session session = Session.getInstance(smtpProperties());
        try (SMTPTransport transport = (SMTPTransport) session.getTransport("smtp")) {
            transport.connect();
            for (int i = 1; i <= options.count(); i++) {
                MimeMessage message = message(session, i);
                transport.sendMessage(message, message.getAllRecipients());
                out.println("Sent \"" + message.getSubject() + "\" from " + options.from() + " to " + options.to()
                    + " via " + options.host() + ":" + port + ": " + transport.getLastServerResponse().trim());
            }
        } catch (MessagingException e) {
            throw new RunnerException("Sending to " + options.host() + ":" + port + " failed: " + e.getMessage()
                + " (is James running? start it with ./run-james)", e);
        }
    }

    private Properties smtpProperties() {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.host", options.host());
        properties.setProperty("mail.smtp.port", String.valueOf(port));
        // The EHLO name; without it javax.mail asks DNS for this machine's name.
        properties.setProperty("mail.smtp.localhost", "localhost");
        properties.setProperty("mail.smtp.connectiontimeout", "10000");
        properties.setProperty("mail.smtp.timeout", "60000");
        return properties;
    }

    private MimeMessage message(Session session, int number) throws MessagingException {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(options.from()));
        message.setRecipients(MimeMessage.RecipientType.TO, InternetAddress.parse(options.to()));
        String subject = options.subject().orElse("SMTP Routes test " + LocalTime.now().format(TIME));
        message.setSubject(options.count() > 1 ? subject + " #" + number : subject);
        message.setSentDate(new Date());
        message.setText("A test mail from ./run-james send.\n"
            + "James relays it through the SMTP route of its recipient's domain (conf/smtproutes.xml);\n"
            + "the mail log (logs/maillog.log in the working directory) shows each delivery attempt.\n");
        return message;
    }
}
