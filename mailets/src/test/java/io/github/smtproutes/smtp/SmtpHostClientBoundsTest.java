package io.github.smtproutes.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The client's time bounds and its split between local and host failures, against a real
 * (scripted) SMTP server on 127.0.0.1: the final dot gets its own, longer reply timeout; a
 * receiver that stops reading, or a transaction that goes on too long, is cut off within its
 * bound as a host without an answer; a message that cannot be read is a failure on this side.
 */
class SmtpHostClientBoundsTest {
    private final ScriptedSmtpServer server = ScriptedSmtpServer.start().withName("bounded");
    private final ConnectionPool pool = ConnectionPool.withDefaults(Clock.systemUTC());
    private final Route route = Route.builder("bounded.test").hosts(RouteHost.of("127.0.0.1", server.port(), 0)).build();
    private final HostAddress host = new HostAddress("127.0.0.1", InetAddress.getLoopbackAddress(), server.port());
    private final MailAddress recipient = address("user@bounded.test");

    @AfterEach
    void close() {
        pool.close();
        server.close();
    }

    @Test
    void theFinalDotMayTakeLongerThanAnyOtherReply() throws Exception {
        server.delayReply(SmtpPhase.DOT, Duration.ofMillis(2_500));
        SmtpHostClient client = client(Duration.ofSeconds(1), Duration.ofSeconds(8), Duration.ofSeconds(5), Duration.ofSeconds(20));

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", message(text(1_000)), List.of(recipient));

        assertThat(outcome.accepted()).containsExactly(recipient);
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void noReplyToTheFinalDotWithinDataTimeoutIsAHostWithoutAnAnswer() throws Exception {
        server.hang(SmtpPhase.DOT);
        SmtpHostClient client = client(Duration.ofMillis(500), Duration.ofMillis(1_500), Duration.ofSeconds(5), Duration.ofSeconds(20));

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", message(text(1_000)), List.of(recipient));

        assertThat(outcome.forNextHost()).containsExactly(recipient);
        assertThat(outcome.phase()).isEqualTo(io.github.smtproutes.smtp.SmtpPhase.DOT);
        assertThat(outcome.reply().text()).isEqualTo("no reply within 1500 ms (DOT)");
        assertThat(outcome.hostFailure()).isTrue();
    }

    @Test
    void aReceiverThatStopsReadingIsCutOffAfterWriteTimeout() throws Exception {
        server.stopReadingContent();
        SmtpHostClient client = client(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(60));
        long start = System.nanoTime();

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", message(text(16 * 1024 * 1024)), List.of(recipient));

        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(server.stalledSessions()).isEqualTo(1);
        assertThat(outcome.forNextHost()).containsExactly(recipient);
        assertThat(outcome.phase()).isEqualTo(io.github.smtproutes.smtp.SmtpPhase.BODY);
        assertThat(outcome.reply().text()).isEqualTo("no progress writing to the host within 1000 ms (BODY)");
        assertThat(outcome.hostFailure()).isTrue();
        assertThat(outcome.localFailure()).isFalse();
        assertThat(took).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aTransactionLongerThanItsBoundIsCutOffEvenWhenEachStepIsInTime() throws Exception {
        // Each reply comes within its own bound, but together they take longer than the transaction may.
        server.delayReply(SmtpPhase.MAIL, Duration.ofMillis(900))
            .delayReply(SmtpPhase.RCPT, Duration.ofMillis(900))
            .delayReply(SmtpPhase.DATA, Duration.ofMillis(900))
            .delayReply(SmtpPhase.DOT, Duration.ofMillis(2_500));
        SmtpHostClient client = client(Duration.ofMillis(1_500), Duration.ofSeconds(3), Duration.ofSeconds(1), Duration.ofMillis(3_500));

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", message(text(1_000)), List.of(recipient));

        assertThat(outcome.forNextHost()).containsExactly(recipient);
        assertThat(outcome.phase()).isEqualTo(io.github.smtproutes.smtp.SmtpPhase.DOT);
        assertThat(outcome.reply().text()).isEqualTo("transaction not done within 3500 ms (DOT)");
        assertThat(outcome.hostFailure()).isTrue();
    }

    @Test
    void aMessageThatCannotBeReadIsAFailureOnThisSideNotTheHosts() throws Exception {
        SmtpHostClient client = client(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(20));
        MimeMessage unreadable = new MimeMessage(mimeMessage(text(1_000))) {
            @Override
            public void writeTo(OutputStream out, String[] ignoreList) throws IOException {
                out.write("Subject: half\r\n".getBytes(StandardCharsets.US_ASCII));
                throw new IOException("body file missing");
            }
        };

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", outbound(unreadable), List.of(recipient));

        assertThat(outcome.localFailure()).isTrue();
        assertThat(outcome.hostFailure()).isFalse();
        assertThat(outcome.accepted()).isEmpty();
        assertThat(outcome.reply().text()).isEqualTo("local error reading the message: IOException: body file missing");
        assertThat(server.received()).isEmpty();
        // The half-sent session is never pooled.
        assertThat(pool.stats().get(host.endpoint()).idle).isZero();
    }

    @Test
    void aBugWhileWritingTheMessageIsAFailureOnThisSide() throws Exception {
        SmtpHostClient client = client(Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(2), Duration.ofSeconds(20));
        MimeMessage broken = new MimeMessage(mimeMessage(text(1_000))) {
            @Override
            public void writeTo(OutputStream out, String[] ignoreList) {
                throw new IllegalStateException("bug");
            }
        };

        SmtpOutcome outcome = client.deliver(host, route, "bounded.test", outbound(broken), List.of(recipient));

        assertThat(outcome.localFailure()).isTrue();
        assertThat(outcome.hostFailure()).isFalse();
        assertThat(outcome.reply().text()).isEqualTo("local error: IllegalStateException: bug");
        assertThat(server.received()).isEmpty();
    }

    private SmtpHostClient client(Duration timeout, Duration dataTimeout, Duration writeTimeout, Duration transactionTimeout) {
        return new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), timeout, dataTimeout, writeTimeout, transactionTimeout), pool);
    }

    private static OutboundMessage message(String body) throws MessagingException {
        return outbound(mimeMessage(body));
    }

    private static MimeMessage mimeMessage(String body) throws MessagingException {
        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()));
        message.setSubject("bounded");
        message.setText(body);
        message.saveChanges();
        return message;
    }

    private static OutboundMessage outbound(MimeMessage message) {
        return new OutboundMessage("mid-1", MaybeSender.of(address("sender@relay.test")), message, List.of(address("user@bounded.test")));
    }

    private static String text(int size) {
        StringBuilder text = new StringBuilder(size + 80);
        while (text.length() < size) {
            text.append("The quick brown fox jumps over the lazy dog, again and again and again.\r\n");
        }
        return text.toString();
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }
}
