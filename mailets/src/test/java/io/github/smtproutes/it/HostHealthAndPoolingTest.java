package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Shared host health and connection reuse in a real James: a host that failed is postponed (not
 * removed) until its backoff ends, then used again; when every host is down, mail is queued
 * without a connection until a backoff ends; a silent down host is probed by one session at a
 * time; a pooled session carries
 * several mails, a stale one is replaced without failing the mail, and idle ones are closed.
 * Each test has its own destination hosts, since host health is shared by the whole James.
 */
class HostHealthAndPoolingTest {
    static final Duration BACKOFF = Duration.ofSeconds(4);

    static final ScriptedSmtpServer FLAKY = ScriptedSmtpServer.start().withName("flaky");
    static final ScriptedSmtpServer STEADY = ScriptedSmtpServer.start().withName("steady");
    static final ScriptedSmtpServer DOWN_1 = ScriptedSmtpServer.start().withName("down1");
    static final ScriptedSmtpServer DOWN_2 = ScriptedSmtpServer.start().withName("down2");
    static final ScriptedSmtpServer SILENT = ScriptedSmtpServer.start().withName("silent");
    static final ScriptedSmtpServer REUSED = ScriptedSmtpServer.start().withName("reused");
    static final ScriptedSmtpServer STALE = ScriptedSmtpServer.start().withName("stale");
    static final ScriptedSmtpServer PIPELINED = ScriptedSmtpServer.start().withName("pipelined").withPipelining();
    static final ScriptedSmtpServer STALE_PIPELINED = ScriptedSmtpServer.start().withName("stalepipe").withPipelining();
    static final ScriptedSmtpServer IDLE = ScriptedSmtpServer.start().withName("idle");
    static final ScriptedSmtpServer SLOW = ScriptedSmtpServer.start().withName("slow");
    static final ScriptedSmtpServer SPARE = ScriptedSmtpServer.start().withName("spare");
    static final ScriptedSmtpServer DEAD = ScriptedSmtpServer.start().withName("dead");
    static final ScriptedSmtpServer FLOWING = ScriptedSmtpServer.start().withName("flowing");
    static final ScriptedSmtpServer RECOVERING = ScriptedSmtpServer.start().withName("recovering");
    static final ScriptedSmtpServer PROBED = ScriptedSmtpServer.start().withName("probed");
    static final ScriptedSmtpServer EQUAL = ScriptedSmtpServer.start().withName("equal");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start();
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .edit("mailetcontainer.xml", "<timeout>2s</timeout>", "<timeout>2s</timeout>"
            + "<hostDownInitial>" + BACKOFF.toSeconds() + "s</hostDownInitial><hostDownMax>8s</hostDownMax>"
            + "<connectionIdle>2s</connectionIdle><connectionMaxMessages>3</connectionMaxMessages>"
            + "<hostBusyWait>300ms</hostBusyWait>")
        .routes(() -> "<smtproutes>"
            + "<route domain='failover.test'><host priority='0'>" + FLAKY.address() + "</host><host priority='10'>" + STEADY.address() + "</host></route>"
            + "<route domain='alldown.test'><host priority='0'>" + DOWN_1.address() + "</host><host priority='10'>" + DOWN_2.address() + "</host></route>"
            + "<route domain='silent.test'><host>" + SILENT.address() + "</host></route>"
            + "<route domain='reuse.test'><host>" + REUSED.address() + "</host></route>"
            + "<route domain='stale.test'><host>" + STALE.address() + "</host></route>"
            + "<route domain='pipelined.test'><host>" + PIPELINED.address() + "</host></route>"
            + "<route domain='stalepipe.test'><host>" + STALE_PIPELINED.address() + "</host></route>"
            + "<route domain='idle.test'><host>" + IDLE.address() + "</host></route>"
            + "<route domain='capped.test' maxConnectionsPerHost='1'><host priority='0'>" + SLOW.address() + "</host>"
            + "<host priority='10'>" + SPARE.address() + "</host></route>"
            + "<route domain='dead.test'><host>" + DEAD.address() + "</host></route>"
            + "<route domain='flowing.test'><host>" + FLOWING.address() + "</host></route>"
            + "<route domain='recover.test'><host>" + RECOVERING.address() + "</host><retry initial='1h'/></route>"
            + "<route domain='sideprobe.test'><host>" + PROBED.address() + "</host><host>" + EQUAL.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        List.of(FLAKY, STEADY, DOWN_1, DOWN_2, SILENT, REUSED, STALE, PIPELINED, STALE_PIPELINED, IDLE, SLOW, SPARE, DEAD, FLOWING, RECOVERING, PROBED, EQUAL, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void aDownHostIsSkippedUntilItsBackoffEndsThenUsedAgain(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        FLAKY.reply(SmtpPhase.CONNECT, "421 4.3.2 System not accepting network messages");

        String first = Mails.send(port, "failover", "user@failover.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STEADY, first) == 1);
        Instant downUntil = downUntil(FLAKY);
        assertThat(FLAKY.connectionCount()).isEqualTo(1);

        // While the backoff runs, mails go straight to the next host: not one connection to the down one.
        for (int i = 0; i < 3; i++) {
            String subject = Mails.send(port, "failover", "user@failover.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STEADY, subject) == 1);
        }
        assertThat(Instant.now()).as("the test ran within the backoff").isBefore(downUntil);
        assertThat(FLAKY.connectionCount()).isEqualTo(1);

        // Recovered and past its backoff: the preferred host takes mail again and is logged up.
        FLAKY.heal();
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(downUntil));
        String afterRecovery = Mails.send(port, "failover", "user@failover.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(FLAKY, afterRecovery) == 1);
        assertThat(MAIL_LOG.linesContaining("Host up 127.0.0.1:" + FLAKY.port())).hasSize(1);
    }

    @Test
    void theFirstSuccessAfterARouteRecoversSendsItsWaitingMailsAtOnce(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        RECOVERING.reply(SmtpPhase.CONNECT, "421 4.4.5 Too busy");
        String waiting = Mails.send(port, "waiting", "user@recover.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> queuedWith("421 4.4.5 Too busy") == 1);
        Instant downUntil = downUntil(RECOVERING);

        RECOVERING.heal();
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(downUntil));
        String fresh = Mails.send(port, "fresh", "user@recover.test");
        // The waiting mail is due in an hour (retry initial='1h'): only the route flush brings it now.
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(RECOVERING, fresh) == 1
            && SeedScenarioTest.countWithSubject(RECOVERING, waiting) == 1);
    }

    @Test
    void pastItsBackoffAFailedHostIsProbedWithoutAMailWhileAnEqualHostTakesTheMails(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        PROBED.reply(SmtpPhase.CONNECT, "421 4.3.2 Busy");
        // Round robin gives the failing host the first turn of one of two mails: it is marked down.
        sendTwoAndAwaitAt(port, EQUAL);
        String probedDown = "Host down 127.0.0.1:" + PROBED.port();
        assertThat(MAIL_LOG.linesContaining(probedDown)).hasSize(1);
        Instant firstBackoffEnd = downUntil(PROBED);

        // Silent now. Past the backoff, the mail whose turn falls on it goes to the equal host at
        // once, while a session without a mail waits out the silence and marks it down again.
        PROBED.heal();
        PROBED.hang(SmtpPhase.CONNECT);
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(firstBackoffEnd));
        sendTwoAndAwaitAt(port, EQUAL);
        await().atMost(Duration.ofSeconds(30)).until(() -> MAIL_LOG.linesContaining(probedDown).size() == 2);
        List<String> log = MAIL_LOG.lines();
        int probeGaveUp = lastIndexOf(log, "Connection Error:", "port: " + PROBED.port());
        assertThat(log.get(probeGaveUp)).contains("no reply within 2000 ms (GREETING)");
        assertThat(lastIndexOf(log, "Delivery start DCID", "")).as("both mails were under way before the probe gave up")
            .isLessThan(probeGaveUp);

        // Answering again: past the next backoff the probe finds it up, and its session, pooled,
        // carries the host's next mail.
        PROBED.heal();
        Instant secondBackoffEnd = downUntil(PROBED);
        int connectionsBefore = PROBED.connectionCount();
        await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(secondBackoffEnd));
        for (int i = 0; i < 6 && PROBED.received().isEmpty(); i++) {
            sendTwoAndAwaitAt(port, null);
        }
        assertThat(MAIL_LOG.linesContaining("Host up 127.0.0.1:" + PROBED.port())).hasSize(1);
        assertThat(PROBED.received()).isNotEmpty();
        assertThat(PROBED.connectionCount()).isEqualTo(connectionsBefore + 1);
        assertThat(PROBED.received()).allMatch(mail -> mail.connectionNumber() == connectionsBefore + 1);
    }

    /** Sends two mails to sideprobe.test and awaits both (at {@code host}, or at either host). */
    private static void sendTwoAndAwaitAt(int port, ScriptedSmtpServer host) {
        List<String> subjects = List.of(Mails.send(port, "sideprobe", "user@sideprobe.test"),
            Mails.send(port, "sideprobe", "user@sideprobe.test"));
        for (String subject : subjects) {
            await().atMost(Duration.ofSeconds(30)).until(() -> host == null
                ? SeedScenarioTest.countWithSubject(EQUAL, subject) + SeedScenarioTest.countWithSubject(PROBED, subject) == 1
                : SeedScenarioTest.countWithSubject(host, subject) == 1);
        }
    }

    private static int lastIndexOf(List<String> lines, String start, String containing) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(start) && lines.get(i).contains(containing)) {
                return i;
            }
        }
        throw new AssertionError("no mail-log line starting " + start + " with " + containing);
    }

    @Test
    void whenEveryHostIsDownTheNextMailsAreQueuedWithoutAnyConnectionUntilABackoffEnds(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        DOWN_1.reply(SmtpPhase.CONNECT, "421 4.3.2 Down for maintenance");
        DOWN_2.reply(SmtpPhase.CONNECT, "421 4.3.2 Down for maintenance");

        // The first mail tries both hosts, in route order, and marks both down.
        Mails.send(port, "alldown", "user@alldown.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> queuedWith("last error: 421 4.3.2 Down for maintenance") == 1);
        assertThat(DOWN_1.connectionCount()).isEqualTo(1);
        assertThat(DOWN_2.connectionCount()).isEqualTo(1);
        List<String> errors = MAIL_LOG.linesContaining("Connection Error:").stream()
            .filter(line -> line.contains("domain: alldown.test")).collect(Collectors.toList());
        assertThat(errors).hasSize(2);
        assertThat(errors.get(0)).contains("port: " + DOWN_1.port());
        assertThat(errors.get(1)).contains("port: " + DOWN_2.port());
        assertThat(MAIL_LOG.linesContaining("Host down 127.0.0.1:" + DOWN_1.port() + " until")).singleElement()
            .satisfies(line -> assertThat(line).contains("reason 421 4.3.2 Down for maintenance"));
        Instant downUntil = downUntil(DOWN_1);

        // Inside the backoff, real mail does not knock on a down host again: queued at once, no connection.
        for (int mail = 1; mail <= 2; mail++) {
            Mails.send(port, "alldown", "user@alldown.test");
            int expected = mail;
            await().atMost(Duration.ofSeconds(30)).until(() -> notAdmitted("127.0.0.1:" + DOWN_1.port() + " down until") == expected);
        }
        // They wait with the reply that made the hosts fail, what a DSN would quote.
        await().atMost(Duration.ofSeconds(30)).until(() -> queuedWith("last error: 421 4.3.2 Down for maintenance") == 3);
        assertThat(Instant.now()).as("the test ran within the backoff").isBefore(downUntil);
        assertThat(DOWN_1.connectionCount()).isEqualTo(1);
        assertThat(DOWN_2.connectionCount()).isEqualTo(1);
    }

    @Test
    void aSilentDownHostIsProbedByOneDeliveryWhileTheOthersAreQueuedAtOnce(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        SILENT.hang(SmtpPhase.CONNECT);
        Mails.send(port, "silent", "user@silent.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> !MAIL_LOG.linesContaining("Host down 127.0.0.1:" + SILENT.port()).isEmpty());

        // Several mails at once while the host is down: one probe waits on it, the rest do not.
        List<CompletableFuture<String>> sends = IntStream.range(0, 5)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> Mails.send(port, "silent", "user@silent.test")))
            .collect(Collectors.toList());
        sends.forEach(CompletableFuture::join);
        await().atMost(Duration.ofSeconds(30)).until(() -> notAdmitted("127.0.0.1:" + SILENT.port()) >= 3);
        assertThat(SILENT.connectionCount()).isLessThanOrEqualTo(3);
    }

    @Test
    void aRouteWhoseOnlyHostNeverAnswersHoldsTwoSpoolerThreadsNotAll(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        DEAD.hang(SmtpPhase.CONNECT);
        // More mails than James has spooler threads (20), all for a host that was never heard from.
        List<CompletableFuture<String>> sends = IntStream.range(0, 25)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> Mails.send(port, "dead", "user@dead.test")))
            .collect(Collectors.toList());
        sends.forEach(CompletableFuture::join);
        String flowing = Mails.send(port, "flowing", "user@flowing.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(FLOWING, flowing) == 1);
        // Two deliveries wait on the silent host (slow start), later ones at most probe it once
        // per timeout; every other mail goes to the retry queue without a connection attempt.
        await().atMost(Duration.ofSeconds(30)).until(() -> notAdmitted("127.0.0.1:" + DEAD.port()) >= 20);
        assertThat(DEAD.connectionCount()).isLessThanOrEqualTo(4);
    }

    @Test
    void aPooledConnectionCarriesSeveralMailsUpToTheLimit(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        for (int i = 0; i < 4; i++) {
            String subject = Mails.send(port, "reuse", "user@reuse.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(REUSED, subject) == 1);
        }
        // connectionMaxMessages is 3: three mails on the first session, the fourth on a new one.
        assertThat(REUSED.connectionCount()).isEqualTo(2);
        assertThat(REUSED.transactionsOnConnection(1)).isEqualTo(3);
        assertThat(REUSED.transactionsOnConnection(2)).isEqualTo(1);
        // RSET between mails proves the session alive and clears it; this server does not offer
        // PIPELINING, so every command waited for the reply before it.
        assertThat(REUSED.transcript()).filteredOn(line -> line.startsWith("1: RSET")).hasSize(2);
        assertThat(REUSED.pipelinedCommands()).isEmpty();
    }

    @Test
    void withPipeliningEachTransactionIsOneCommandGroup(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        for (int i = 0; i < 3; i++) {
            String subject = Mails.send(port, "pipelined", "user@pipelined.test");
            await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(PIPELINED, subject) == 1);
        }
        assertThat(PIPELINED.connectionCount()).isEqualTo(1);
        assertThat(PIPELINED.transactionsOnConnection(1)).isEqualTo(3);
        // RFC 2920: each transaction is one command group, [RSET,] MAIL, RCPT, DATA; every command
        // after the first of a group was on the wire before the server answered the one before.
        assertThat(PIPELINED.transcript()).filteredOn(line -> line.startsWith("1: RSET")).hasSize(2);
        assertThat(PIPELINED.pipelinedCommands()).extracting(line -> line.split("[ :]+")[1]).containsExactly(
            "RCPT", "DATA",
            "MAIL", "RCPT", "DATA",
            "MAIL", "RCPT", "DATA");
    }

    @Test
    void withPipeliningAReusedSessionWhoseRsetFailsIsReplacedWithoutFailingTheMail(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String first = Mails.send(port, "stalepipe", "user@stalepipe.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE_PIPELINED, first) == 1);

        // Dropped while idle, RSET answered by a dropped connection, by 421, and by an odd 5xx:
        // each time the pooled session is given up and a fresh one carries the mail.
        STALE_PIPELINED.closeClientConnections();
        String second = Mails.send(port, "stalepipe", "user@stalepipe.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE_PIPELINED, second) == 1);
        STALE_PIPELINED.drop(SmtpPhase.RSET);
        String third = Mails.send(port, "stalepipe", "user@stalepipe.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE_PIPELINED, third) == 1);
        STALE_PIPELINED.heal();
        STALE_PIPELINED.reply(SmtpPhase.RSET, "421 4.4.2 Idle too long");
        String fourth = Mails.send(port, "stalepipe", "user@stalepipe.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE_PIPELINED, fourth) == 1);
        STALE_PIPELINED.reply(SmtpPhase.RSET, "554 5.5.1 Odd");
        String fifth = Mails.send(port, "stalepipe", "user@stalepipe.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE_PIPELINED, fifth) == 1);
        STALE_PIPELINED.heal();

        assertThat(STALE_PIPELINED.received()).extracting(mail -> mail.connectionNumber()).containsExactly(1, 2, 3, 4, 5);
        assertThat(MAIL_LOG.lines()).noneMatch(line -> line.contains("Host down 127.0.0.1:" + STALE_PIPELINED.port()))
            .noneMatch(line -> line.contains("Bounced") && line.contains("stalepipe.test"));
    }

    @Test
    void aStalePooledConnectionIsReplacedWithoutFailingTheMail(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String first = Mails.send(port, "stale", "user@stale.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE, first) == 1);

        // The server drops the idle session behind the client's back.
        STALE.closeClientConnections();
        String second = Mails.send(port, "stale", "user@stale.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE, second) == 1);

        // And a session whose RSET is answered by a dropped connection.
        STALE.drop(SmtpPhase.RSET);
        String third = Mails.send(port, "stale", "user@stale.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(STALE, third) == 1);
        STALE.heal();

        assertThat(STALE.connectionCount()).isEqualTo(3);
        assertThat(STALE.received()).extracting(mail -> mail.connectionNumber()).containsExactly(1, 2, 3);
        assertThat(MAIL_LOG.lines()).noneMatch(line -> line.contains("Host down 127.0.0.1:" + STALE.port()))
            .noneMatch(line -> line.contains("queued for retry") && line.contains("stale"));
    }

    @Test
    void anIdlePooledConnectionIsClosedWithQuit(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String subject = Mails.send(port, "idle", "user@idle.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(IDLE, subject) == 1);
        // connectionIdle is 2s: the reaper ends the session politely.
        await().atMost(Duration.ofSeconds(30)).until(() -> IDLE.transcript().contains("1: QUIT"));
    }

    @Test
    void aHostAtTheRouteConnectionCapIsBusyNotDown(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        // The preferred host holds its one allowed session for 1 s at the final dot.
        SLOW.delayReply(SmtpPhase.DOT, Duration.ofSeconds(1));
        List<CompletableFuture<String>> sends = IntStream.range(0, 2)
            .mapToObj(i -> CompletableFuture.supplyAsync(() -> Mails.send(port, "capped", "user@capped.test")))
            .collect(Collectors.toList());
        List<String> subjects = sends.stream().map(CompletableFuture::join).collect(Collectors.toList());
        await().atMost(Duration.ofSeconds(30)).until(() -> subjects.stream()
            .allMatch(subject -> SeedScenarioTest.countWithSubject(SLOW, subject) + SeedScenarioTest.countWithSubject(SPARE, subject) == 1));
        SLOW.heal();

        assertThat(SLOW.connectionCount()).isEqualTo(1);
        assertThat(SLOW.received()).hasSize(1);
        assertThat(SPARE.received()).hasSize(1);
        assertThat(MAIL_LOG.lines()).noneMatch(line -> line.contains("Host down 127.0.0.1:" + SLOW.port()));
    }

    /** Mails no host was admitted for, with a reason naming {@code containing}. */
    private static long notAdmitted(String containing) {
        return MAIL_LOG.linesContaining("No destination host").stream()
            .filter(line -> line.contains("hosts not taking more deliveries now") && line.contains(containing)).count();
    }

    private static long queuedWith(String reason) {
        return MAIL_LOG.linesContaining("Message queued for retry").stream().filter(line -> line.contains(reason)).count();
    }

    /** The end of the backoff the mail log announced for {@code host}. */
    private static Instant downUntil(ScriptedSmtpServer host) {
        Pattern pattern = Pattern.compile("Host down 127\\.0\\.0\\.1:" + host.port() + " until (\\S+) reason");
        return MAIL_LOG.lines().stream()
            .map(pattern::matcher)
            .filter(Matcher::find)
            .map(matcher -> Instant.parse(matcher.group(1)))
            .reduce((a, b) -> b)
            .orElseThrow(() -> new AssertionError("no Host down line for " + host.address()));
    }
}
