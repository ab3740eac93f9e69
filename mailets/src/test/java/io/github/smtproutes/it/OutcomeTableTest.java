package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * One test per row of the outcome table (docs/smtp-outcomes.md, "The outcome table"), in a real
 * James. Each row has its own route: a scripted first host that misbehaves in one way at
 * priority 0, and the shared healthy host NEXT at priority 10. Bounces are DSNs that James sends
 * to the sender, whose domain is routed to SENDERS.
 */
class OutcomeTableTest {
    static final ScriptedSmtpServer NEXT = ScriptedSmtpServer.start().withName("next");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final int CLOSED_PORT = closedPort();
    static final FullBacklog UNREACHABLE = FullBacklog.open();
    static final Map<String, ScriptedSmtpServer> FIRST = new LinkedHashMap<>();
    static final String RETRY_REPOSITORY = "file://var/mail/smtp-routes/retry/";
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    static {
        first("no-greeting").hang(SmtpPhase.CONNECT);
        first("greeting-421").reply(SmtpPhase.CONNECT, "421 4.3.1 Mail system full");
        first("greeting-554").reply(SmtpPhase.CONNECT, "554 5.3.2 No SMTP service here");
        first("ehlo-4xx").reply(SmtpPhase.EHLO, "451 4.3.0 Try again later");
        first("mail-4xx").reply(SmtpPhase.MAIL, "451 4.3.0 Local error in processing");
        first("data-4xx").reply(SmtpPhase.DATA, "451 4.3.0 Local error in processing");
        first("dot-4xx").reply(SmtpPhase.DOT, "452 4.3.1 Insufficient system resources");
        first("mail-421").reply(SmtpPhase.MAIL, "421 4.4.2 Closing connection");
        first("rcpt-drop").drop(SmtpPhase.RCPT);
        first("data-drop").drop(SmtpPhase.DATA);
        first("rcpt-4xx").rcptReply("full@rcpt-4xx.test", "452 4.2.2 Mailbox full");
        first("rcpt-5xx").rcptReply("nobody@rcpt-5xx.test", "550 5.1.1 No such user");
        first("mail-5xx").reply(SmtpPhase.MAIL, "550 5.7.1 Sender refused");
        first("data-5xx").reply(SmtpPhase.DATA, "554 5.6.0 Message refused");
        first("dot-5xx").reply(SmtpPhase.DOT, "554 5.6.0 Content refused");
        first("dot-drop").drop(SmtpPhase.DOT);
        first("dot-hang").hang(SmtpPhase.DOT);
        first("possible").hang(SmtpPhase.DOT);
        first("all-fail").reply(SmtpPhase.CONNECT, "421 4.3.2 Shutting down");
        first("all-fail-2").reply(SmtpPhase.MAIL, "451 4.3.0 Queue full");
    }

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(OutcomeTableTest::routes)
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    private static ScriptedSmtpServer first(String row) {
        ScriptedSmtpServer server = ScriptedSmtpServer.start().withName(row);
        FIRST.put(row, server);
        return server;
    }

    private static String routes() {
        String rows = FIRST.keySet().stream()
            .filter(row -> !row.startsWith("all-fail") && !row.equals("possible"))
            .map(row -> route(row, "", FIRST.get(row).address()))
            .collect(Collectors.joining());
        return "<smtproutes>" + rows
            + route("refused", "", "127.0.0.1:" + CLOSED_PORT)
            + route("connect-timeout", "", "127.0.0.1:" + UNREACHABLE.port())
            + route("possible", " possibleDelivery='true'", FIRST.get("possible").address())
            // Every host fails transiently; a long first retry keeps the mail waiting for the assertion.
            + "<route domain='all-fail.test'><host>" + FIRST.get("all-fail").address() + "</host>"
            + "<host>" + FIRST.get("all-fail-2").address() + "</host><retry initial='1h'/></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>";
    }

    private static String route(String row, String options, String firstHost) {
        return "<route domain='" + row + ".test'" + options + "><host priority='0'>" + firstHost + "</host>"
            + "<host priority='10'>" + NEXT.address() + "</host></route>";
    }

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        FIRST.values().forEach(ScriptedSmtpServer::close);
        NEXT.close();
        SENDERS.close();
        UNREACHABLE.close();
    }

    // Rows where the next host takes the mail.

    @Test
    void connectionRefusedGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "refused");
        assertThat(MAIL_LOG.linesContaining("port: " + CLOSED_PORT))
            .anySatisfy(line -> assertThat(line).contains("Connection Error", "Connection refused"));
    }

    @Test
    void aConnectTimeoutGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "connect-timeout");
        assertThat(MAIL_LOG.linesContaining("port: " + UNREACHABLE.port()))
            .anySatisfy(line -> assertThat(line).contains("Connection Error", "connect timeout after 2000 ms"));
    }

    @Test
    void noGreetingWithinTheTimeoutGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "no-greeting");
    }

    @Test
    void greeting421GoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "greeting-421");
    }

    @Test
    void greeting5xxGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "greeting-554");
    }

    @Test
    void ehlo4xxGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "ehlo-4xx");
    }

    @Test
    void mail4xxGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "mail-4xx");
    }

    @Test
    void data4xxGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "data-4xx");
    }

    @Test
    void finalDot4xxGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "dot-4xx");
    }

    @Test
    void a421ClosingTheSessionGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "mail-421");
    }

    @Test
    void aConnectionDroppedAtRcptGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "rcpt-drop");
    }

    @Test
    void aConnectionDroppedAtDataGoesToTheNextHost(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "data-drop");
    }

    @Test
    void aConnectionDroppedAfterTheFinalDotIsNotDeliveredSoTheNextHostGetsIt(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "dot-drop");
    }

    @Test
    void noReplyToTheFinalDotIsNotDeliveredSoTheNextHostGetsIt(GuiceJamesServer server) {
        assertFailsOverToNextHost(server, "dot-hang");
    }

    // Per-recipient rows.

    @Test
    void rcpt4xxSendsOnlyThoseRecipientsToTheNextHost(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "rcpt-4xx", "ok@rcpt-4xx.test", "full@rcpt-4xx.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(NEXT, subject).size() == 1);
        assertThat(Mails.withSubject(FIRST.get("rcpt-4xx"), subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@rcpt-4xx.test"));
        assertThat(Mails.withSubject(NEXT, subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("full@rcpt-4xx.test"));
    }

    @Test
    void rcpt5xxBouncesThatRecipientWithoutFailover(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "rcpt-5xx", "ok@rcpt-5xx.test", "nobody@rcpt-5xx.test");
        ReceivedMail dsn = awaitDsnAbout(subject);
        assertThat(dsn.data()).contains("nobody@rcpt-5xx.test", "550 5.1.1 No such user");
        assertThat(dsn.data()).doesNotContain("Final-Recipient: rfc822; ok@rcpt-5xx.test");
        assertThat(Mails.withSubject(FIRST.get("rcpt-5xx"), subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@rcpt-5xx.test"));
        assertThat(Mails.withSubject(NEXT, subject)).isEmpty();
    }

    @Test
    void mail5xxBouncesEveryPendingRecipient(GuiceJamesServer server) {
        assertBouncedWithoutFailover(server, "mail-5xx", "550 5.7.1 Sender refused");
    }

    @Test
    void data5xxBouncesEveryPendingRecipient(GuiceJamesServer server) {
        assertBouncedWithoutFailover(server, "data-5xx", "554 5.6.0 Message refused");
    }

    @Test
    void finalDot5xxBouncesEveryPendingRecipient(GuiceJamesServer server) {
        assertBouncedWithoutFailover(server, "dot-5xx", "554 5.6.0 Content refused");
    }

    @Test
    void possibleDeliveryCountsSilenceAfterTheDotAsDelivered(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "possible", "user@possible.test");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> MAIL_LOG.lines().stream().anyMatch(line -> line.startsWith("Possible delivery")));
        Thread.sleep(500);
        assertThat(Mails.withSubject(NEXT, subject)).isEmpty();
        assertThat(retryMails(server)).noneMatch(mail -> mail.getRecipients().toString().contains("possible.test"));
    }

    @Test
    void whenEveryHostFailsTransientlyTheMailWaitsInTheRetryRepository(GuiceJamesServer server) {
        Mails.send(RoutesJames.smtpPort(server), "all-fail", "user@all-fail.test");
        await().atMost(Duration.ofSeconds(30))
            .until(() -> retryMails(server).stream().anyMatch(mail -> mail.getRecipients().toString().contains("all-fail.test")));
        Mail waiting = retryMails(server).stream()
            .filter(mail -> mail.getRecipients().toString().contains("all-fail.test"))
            .findFirst().orElseThrow();
        assertThat(waiting.getRecipients()).extracting(Object::toString).containsExactly("user@all-fail.test");
        assertThat(RetryState.attempts(waiting)).isEqualTo(1);
        assertThat(RetryState.lastError(waiting)).hasValueSatisfying(error -> assertThat(error).isIn(
            "421 4.3.2 Shutting down", "451 4.3.0 Queue full"));
        assertThat(RetryState.route(waiting)).contains("all-fail.test");
        assertThat(MAIL_LOG.linesContaining("Message queued for retry")).isNotEmpty();
        assertThat(FIRST.get("all-fail").received()).isEmpty();
        assertThat(FIRST.get("all-fail-2").received()).isEmpty();
    }

    private static void assertFailsOverToNextHost(GuiceJamesServer server, String row) {
        String subject = Mails.send(RoutesJames.smtpPort(server), row, "user@" + row + ".test");
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(NEXT, subject).size() == 1);
        if (FIRST.containsKey(row)) {
            assertThat(FIRST.get(row).connectionCount()).isPositive();
            assertThat(Mails.withSubject(FIRST.get(row), subject)).isEmpty();
        }
        assertThat(Mails.withSubject(NEXT, subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("user@" + row + ".test"));
    }

    private static void assertBouncedWithoutFailover(GuiceJamesServer server, String row, String reply) {
        String subject = Mails.send(RoutesJames.smtpPort(server), row, "a@" + row + ".test", "b@" + row + ".test");
        ReceivedMail dsn = awaitDsnAbout(subject);
        assertThat(dsn.data()).contains("a@" + row + ".test", "b@" + row + ".test", reply);
        assertThat(Mails.withSubject(NEXT, subject)).isEmpty();
        assertThat(Mails.withSubject(FIRST.get(row), subject)).isEmpty();
    }

    /** The DSN James sent back to the sender about the mail with this subject. */
    private static ReceivedMail awaitDsnAbout(String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.dsnsAbout(SENDERS, subject).size() == 1);
        ReceivedMail dsn = Mails.dsnsAbout(SENDERS, subject).get(0);
        assertThat(dsn.recipients()).containsExactly(Mails.SENDER);
        assertThat(dsn.header("Content-Type").orElse("")).contains("multipart/report", "delivery-status");
        return dsn;
    }

    static List<Mail> retryMails(GuiceJamesServer server) {
        MailRepositoryUrl url = MailRepositoryUrl.from(RETRY_REPOSITORY);
        var probe = RoutesJames.repositories(server);
        List<Mail> mails = new java.util.ArrayList<>();
        try {
            for (MailKey key : probe.listMailKeys(url)) {
                Mail mail = probe.getMail(url, key);
                if (mail != null) {
                    // Only the envelope and attributes are read: the message copy is released at once.
                    org.apache.james.lifecycle.api.LifecycleUtil.dispose(mail);
                    mails.add(mail);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + RETRY_REPOSITORY, e);
        }
        return mails;
    }

    /**
     * A loopback port whose TCP handshake never completes: a listener that never accepts, with its
     * accept queue filled, so Linux drops further SYNs and a connect waits until it times out.
     */
    static final class FullBacklog implements AutoCloseable {
        private final ServerSocket listener;
        private final List<java.net.Socket> fillers = new java.util.ArrayList<>();

        private FullBacklog(ServerSocket listener) {
            this.listener = listener;
        }

        static FullBacklog open() {
            try {
                FullBacklog backlog = new FullBacklog(new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1")));
                backlog.fill();
                return backlog;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private void fill() throws IOException {
            for (int i = 0; i < 64; i++) {
                java.net.Socket filler = new java.net.Socket();
                try {
                    filler.connect(new java.net.InetSocketAddress(listener.getInetAddress(), listener.getLocalPort()), 300);
                    fillers.add(filler);
                } catch (java.net.SocketTimeoutException full) {
                    filler.close();
                    return;
                }
            }
            throw new IllegalStateException("the accept queue of a never-accepting listener did not fill up");
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() {
            for (java.net.Socket filler : fillers) {
                try {
                    filler.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            try {
                listener.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
