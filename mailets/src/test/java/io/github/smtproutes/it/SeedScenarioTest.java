package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The seed scenario in a real James: two equal-priority hosts, the first answering its greeting
 * with "421 4.3.1 Mail system full". Every mail must reach the second host exactly once, and the
 * mail log must show the failover as an ESA admin knows it. Also: round-robin spreads mail
 * evenly, and a lower-priority host gets nothing while a higher group accepts.
 */
class SeedScenarioTest {
    static final ScriptedSmtpServer BUSY = ScriptedSmtpServer.start().withName("busy")
        .reply(SmtpPhase.CONNECT, "421 4.3.1 Mail system full");
    static final ScriptedSmtpServer OK = ScriptedSmtpServer.start().withName("ok");
    static final List<ScriptedSmtpServer> ROUND_ROBIN = List.of(
        ScriptedSmtpServer.start(), ScriptedSmtpServer.start(), ScriptedSmtpServer.start());
    static final ScriptedSmtpServer PRIMARY = ScriptedSmtpServer.start();
    static final ScriptedSmtpServer BACKUP = ScriptedSmtpServer.start();
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start();
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='seed.test'><host priority='0'>" + BUSY.address() + "</host><host priority='0'>" + OK.address() + "</host></route>"
            + "<route domain='rr.test'>" + ROUND_ROBIN.stream().map(s -> "<host>" + s.address() + "</host>").collect(Collectors.joining()) + "</route>"
            + "<route domain='prio.test'><host priority='10'>" + BACKUP.address() + "</host><host priority='0'>" + PRIMARY.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeEach
    void clearLog() {
        MAIL_LOG.clear();
    }

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        BUSY.close();
        OK.close();
        ROUND_ROBIN.forEach(ScriptedSmtpServer::close);
        PRIMARY.close();
        BACKUP.close();
        SENDERS.close();
    }

    @Test
    void everyMailReachesTheSecondHostExactlyOnceAndTheLogShowsTheFailover(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        int okBefore = OK.received().size();
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String subject = Mails.send(port, "seed", "user@seed.test");
            subjects.add(subject);
            await().atMost(Duration.ofSeconds(30)).until(() -> countWithSubject(OK, subject) == 1);
        }

        assertThat(OK.received()).hasSize(okBefore + 4);
        subjects.forEach(subject -> assertThat(countWithSubject(OK, subject)).isEqualTo(1));
        assertThat(BUSY.received()).isEmpty();
        // Round-robin made the first delivery start at the busy host; after its 421 the host is
        // remembered as down and postponed, so later mails go straight to the healthy one.
        assertThat(BUSY.connectionCount()).isPositive();

        List<String> lines = MAIL_LOG.lines();
        List<Integer> errors = indexesOf(lines, "Connection Error: ");
        assertThat(errors).hasSize(BUSY.connectionCount());
        for (int error : errors) {
            String line = lines.get(error);
            assertThat(line).contains("domain: seed.test", "IP: 127.0.0.1", "port: " + BUSY.port(),
                "details: 421 4.3.1 Mail system full", "reason: unexpected SMTP response");
            assertThat(lines.subList(error + 1, lines.size()))
                .filteredOn(next -> next.startsWith("New SMTP DCID"))
                .first().asString().contains("address 127.0.0.1 port " + OK.port());
        }
        assertThat(MAIL_LOG.linesContaining("Message done DCID")).hasSize(4)
            .allSatisfy(line -> assertThat(line).contains("to RID [0]", "[('250 2.0.0 Ok"));
    }

    @Test
    void thirtySerialMailsOverThreeEqualHostsGiveEachTen(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        for (int i = 0; i < 30; i++) {
            String subject = Mails.send(port, "rr", "user@rr.test");
            await().atMost(Duration.ofSeconds(30))
                .until(() -> ROUND_ROBIN.stream().mapToLong(host -> countWithSubject(host, subject)).sum() == 1);
        }
        assertThat(ROUND_ROBIN).extracting(host -> host.received().size()).containsExactly(10, 10, 10);
    }

    @Test
    void aLowerPriorityHostGetsNothingWhileTheHigherGroupAccepts(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        List<String> subjects = IntStream.range(0, 5).mapToObj(i -> Mails.send(port, "prio", "user@prio.test")).collect(Collectors.toList());
        await().atMost(Duration.ofSeconds(30))
            .until(() -> subjects.stream().allMatch(subject -> countWithSubject(PRIMARY, subject) == 1));
        assertThat(BACKUP.connectionCount()).isZero();
    }

    static long countWithSubject(ScriptedSmtpServer host, String subject) {
        return host.received().stream().filter(mail -> subjectOf(mail).equals(subject)).count();
    }

    static String subjectOf(ReceivedMail mail) {
        return mail.header("Subject").orElse("");
    }

    private static List<Integer> indexesOf(List<String> lines, String prefix) {
        return IntStream.range(0, lines.size()).filter(i -> lines.get(i).startsWith(prefix)).boxed().collect(Collectors.toList());
    }
}
