package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.core.Domain;
import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Slow receivers in a real James. A host that takes longer than {@code timeout} to answer the
 * final dot, but less than {@code dataTimeout}, gets the mail once and no other host gets a
 * copy. A host that accepts DATA and then stops reading a large mail frees the spooler thread
 * after {@code writeTimeout}: the mail goes to the next host, and mail to other routes flows
 * meanwhile.
 */
class SlowReceiverTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final Duration DOT_DELAY = Duration.ofSeconds(6);
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(15);
    static final ScriptedSmtpServer SLOW_DOT = ScriptedSmtpServer.start().withName("slowdot");
    static final ScriptedSmtpServer STALLED = ScriptedSmtpServer.start().withName("stalled");
    static final ScriptedSmtpServer NEXT = ScriptedSmtpServer.start().withName("next");
    static final ScriptedSmtpServer FLOWING = ScriptedSmtpServer.start().withName("flowing");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    static {
        SLOW_DOT.delayReply(SmtpPhase.DOT, DOT_DELAY);
        STALLED.stopReadingContent();
    }

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        // timeout stays 2s (the harness); the dot may take 20s, a blocked write 15s.
        .edit("mailetcontainer.xml", "<dataTimeout>4s</dataTimeout>", "<dataTimeout>20s</dataTimeout>")
        .edit("mailetcontainer.xml", "<writeTimeout>3m</writeTimeout>", "<writeTimeout>" + WRITE_TIMEOUT.toSeconds() + "s</writeTimeout>")
        .edit("mailetcontainer.xml", "<transactionTimeout>15m</transactionTimeout>", "<transactionTimeout>60s</transactionTimeout>")
        .routes(() -> "<smtproutes>"
            + route("slowdot.test", SLOW_DOT)
            + route("stalled.test", STALLED)
            + "<route domain='flowing.test'><host>" + FLOWING.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    private static String route(String domain, ScriptedSmtpServer first) {
        return "<route domain='" + domain + "'><host priority='0'>" + first.address() + "</host>"
            + "<host priority='10'>" + NEXT.address() + "</host></route>";
    }

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        List.of(SLOW_DOT, STALLED, NEXT, FLOWING, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void aFinalDotAnsweredAfterTimeoutButWithinDataTimeoutGivesOneCopyAndNoFailover(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "slowdot", "user@slowdot.test");

        await().atMost(PATIENCE).until(() -> Mails.withSubject(SLOW_DOT, subject).size() == 1);
        await().atMost(PATIENCE).until(() -> !MAIL_LOG.linesContaining("Message done").isEmpty());
        // Time for a failover to show, had the client given up on the dot.
        Thread.sleep(2_000);
        assertThat(Mails.withSubject(SLOW_DOT, subject)).hasSize(1);
        assertThat(Mails.withSubject(NEXT, subject)).isEmpty();
        assertThat(NEXT.connectionCount()).isZero();
        assertThat(MAIL_LOG.linesContaining("Host down 127.0.0.1:" + SLOW_DOT.port())).isEmpty();
    }

    @Test
    void aHostThatStopsReadingFreesTheThreadWithinWriteTimeoutWhileOtherRoutesFlow(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String stuck = sendLarge(port, "user@stalled.test", 12 * 1024 * 1024);
        await().atMost(PATIENCE).until(() -> STALLED.stalledSessions() == 1);
        long stalledAt = System.nanoTime();

        // While that delivery is blocked writing, another route's mail goes through.
        String flowing = Mails.send(port, "flowing", "user@flowing.test");
        await().atMost(PATIENCE).until(() -> Mails.withSubject(FLOWING, flowing).size() == 1);
        assertThat(MAIL_LOG.linesContaining("no progress writing")).as("the stalled delivery was still waiting").isEmpty();

        // The blocked write is cut after writeTimeout, and the mail goes on like any other "no answer".
        await().atMost(PATIENCE).until(() -> Mails.withSubject(NEXT, stuck).size() == 1);
        Duration stuckFor = Duration.ofNanos(System.nanoTime() - stalledAt);
        assertThat(stuckFor).isGreaterThanOrEqualTo(WRITE_TIMEOUT.minusSeconds(1));
        assertThat(MAIL_LOG.linesContaining("Delayed")).anySatisfy(line ->
            assertThat(line).contains("no progress writing to the host within 15000 ms (BODY)"));
        assertThat(MAIL_LOG.linesContaining("Host down 127.0.0.1:" + STALLED.port())).hasSize(1);
        assertThat(STALLED.received()).isEmpty();
    }

    /** Sends one mail with a body of about {@code size} bytes and returns its subject. */
    private static String sendLarge(int smtpPort, String recipient, int size) {
        String subject = Mails.uniqueSubject("large");
        StringBuilder message = new StringBuilder(size + 1024)
            .append("From: ").append(Mails.SENDER).append("\r\n")
            .append("To: ").append(recipient).append("\r\n")
            .append("Subject: ").append(subject).append("\r\n")
            .append("Message-ID: <").append(UUID.randomUUID()).append("@senders.test>\r\n\r\n");
        String line = "A large mail that a stalled receiver never reads, line after line after line.\r\n";
        while (message.length() < size) {
            message.append(line);
        }
        try (SMTPMessageSender smtp = new SMTPMessageSender(Domain.LOCALHOST.asString())) {
            smtp.connect("127.0.0.1", Port.of(smtpPort)).sendMessageWithHeaders(Mails.SENDER, List.of(recipient), message.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return subject;
    }
}
