package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The transaction rows of the outcome table against hosts that offer PIPELINING, in a real James.
 * There RSET, MAIL FROM, every RCPT TO and DATA leave as one command group, so a refusal or a
 * drop meets commands already sent: the outcome must be the same as one command at a time, and
 * a session that stays open must be back in step for its next mail.
 */
class PipelinedOutcomeTest {
    static final ScriptedSmtpServer NEXT = ScriptedSmtpServer.start().withName("next").withPipelining();
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final Map<String, ScriptedSmtpServer> FIRST = new LinkedHashMap<>();

    static {
        first("mail-4xx").reply(SmtpPhase.MAIL, "451 4.3.0 Local error in processing");
        first("mail-421").reply(SmtpPhase.MAIL, "421 4.4.2 Closing connection");
        first("rcpt-drop").drop(SmtpPhase.RCPT);
        first("data-4xx").reply(SmtpPhase.DATA, "451 4.3.0 Local error in processing");
        first("data-drop").drop(SmtpPhase.DATA);
        first("dot-4xx").reply(SmtpPhase.DOT, "452 4.3.1 Insufficient system resources");
        first("rcpt-4xx").rcptReply("full@rcpt-4xx.test", "452 4.2.2 Mailbox full");
        first("rcpt-5xx").rcptReply("nobody@rcpt-5xx.test", "550 5.1.1 No such user");
        first("all-rcpt-5xx").rcptReply("a@all-rcpt-5xx.test", "550 5.1.1 No such user")
            .rcptReply("b@all-rcpt-5xx.test", "550 5.1.1 No such user");
        first("mail-5xx").reply(SmtpPhase.MAIL, "550 5.7.1 Sender refused");
        first("data-5xx").reply(SmtpPhase.DATA, "554 5.6.0 Message refused");
    }

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(PipelinedOutcomeTest::routes)
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    private static ScriptedSmtpServer first(String row) {
        ScriptedSmtpServer server = ScriptedSmtpServer.start().withName(row).withPipelining();
        FIRST.put(row, server);
        return server;
    }

    private static String routes() {
        return "<smtproutes>"
            + FIRST.keySet().stream()
                .map(row -> "<route domain='" + row + ".test'><host priority='0'>" + FIRST.get(row).address() + "</host>"
                    + "<host priority='10'>" + NEXT.address() + "</host></route>")
                .collect(Collectors.joining())
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>";
    }

    @AfterAll
    static void stopHosts() {
        FIRST.values().forEach(ScriptedSmtpServer::close);
        NEXT.close();
        SENDERS.close();
    }

    @Test
    void transientRepliesAndDropsInsideTheGroupGoToTheNextHost(GuiceJamesServer server) {
        for (String row : List.of("mail-4xx", "mail-421", "rcpt-drop", "data-4xx", "data-drop", "dot-4xx")) {
            String subject = Mails.send(RoutesJames.smtpPort(server), row, "user@" + row + ".test");
            await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(NEXT, subject).size() == 1);
            assertThat(Mails.withSubject(FIRST.get(row), subject)).as(row).isEmpty();
            assertThat(Mails.withSubject(NEXT, subject)).as(row).singleElement()
                .satisfies(mail -> assertThat(mail.recipients()).containsExactly("user@" + row + ".test"));
        }
        // The groups really were pipelined: RCPT and DATA reached the host before MAIL's reply.
        assertThat(FIRST.get("mail-4xx").pipelinedCommands()).extracting(line -> line.split("[ :]+")[1])
            .containsExactly("RCPT", "DATA");
    }

    @Test
    void aRefusedRecipientInTheGroupIsSettledOnItsOwn(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String deferred = Mails.send(port, "rcpt-4xx", "ok@rcpt-4xx.test", "full@rcpt-4xx.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(NEXT, deferred).size() == 1);
        assertThat(Mails.withSubject(FIRST.get("rcpt-4xx"), deferred)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@rcpt-4xx.test"));
        assertThat(Mails.withSubject(NEXT, deferred)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("full@rcpt-4xx.test"));

        String bounced = Mails.send(port, "rcpt-5xx", "ok@rcpt-5xx.test", "nobody@rcpt-5xx.test");
        ReceivedMail dsn = awaitDsnAbout(bounced);
        assertThat(dsn.data()).contains("nobody@rcpt-5xx.test", "550 5.1.1 No such user")
            .doesNotContain("Final-Recipient: rfc822; ok@rcpt-5xx.test");
        assertThat(Mails.withSubject(FIRST.get("rcpt-5xx"), bounced)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@rcpt-5xx.test"));
        assertThat(Mails.withSubject(NEXT, bounced)).isEmpty();
    }

    @Test
    void afterARefusedMailFromTheSessionCarriesTheNextMail(GuiceJamesServer server) {
        assertRefusalKeepsTheSessionInStep(server, "mail-5xx", SmtpPhase.MAIL, "550 5.7.1 Sender refused");
    }

    @Test
    void afterEveryRecipientWasRefusedTheSessionCarriesTheNextMail(GuiceJamesServer server) {
        assertRefusalKeepsTheSessionInStep(server, "all-rcpt-5xx", null, "550 5.1.1 No such user");
    }

    @Test
    void afterARefusedDataTheSessionCarriesTheNextMail(GuiceJamesServer server) {
        assertRefusalKeepsTheSessionInStep(server, "data-5xx", SmtpPhase.DATA, "554 5.6.0 Message refused");
    }

    /**
     * A refusal of the mail bounces it, and leaves replies to commands sent ahead unread; once
     * those are read, the session is pooled, and the next mail goes over it (no second connection).
     */
    private static void assertRefusalKeepsTheSessionInStep(GuiceJamesServer server, String row, SmtpPhase phase, String reply) {
        int port = RoutesJames.smtpPort(server);
        ScriptedSmtpServer host = FIRST.get(row);
        String refused = Mails.send(port, row, "a@" + row + ".test", "b@" + row + ".test");
        ReceivedMail dsn = awaitDsnAbout(refused);
        assertThat(dsn.data()).contains("a@" + row + ".test", "b@" + row + ".test", reply);
        assertThat(Mails.withSubject(NEXT, refused)).isEmpty();

        if (phase != null) {
            host.heal();
        }
        String next = Mails.send(port, row, "c@" + row + ".test");
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(host, next).size() == 1);
        assertThat(host.connectionCount()).isEqualTo(1);
        assertThat(host.transactionsOnConnection(1)).isEqualTo(1);
    }

    /** The DSN James sent back to the sender about the mail with this subject. */
    private static ReceivedMail awaitDsnAbout(String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.dsnsAbout(SENDERS, subject).size() == 1);
        return Mails.dsnsAbout(SENDERS, subject).get(0);
    }
}
