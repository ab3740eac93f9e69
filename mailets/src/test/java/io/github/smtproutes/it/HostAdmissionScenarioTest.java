package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
 * Admission in a real James with the shipped defaults (backoff, slow start, verdict wait): a
 * cold burst towards a backup host that has not answered yet is delivered within seconds instead
 * of waiting in the retry queue, and a refused AUTH on one route leaves another route's use of
 * the same endpoint at full speed. Each test has its own destination hosts, since what James
 * knows about a host is shared by the whole server.
 */
class HostAdmissionScenarioTest {
    static final int BURST = 30;
    static final String PASSWORD = "Route-Pa55-" + System.nanoTime();
    static final Path RIGHT_PASSWORD = passwordFile(PASSWORD);
    static final Path WRONG_PASSWORD = passwordFile("not-" + PASSWORD);

    static final ScriptedSmtpServer FAILING = ScriptedSmtpServer.start().withName("failing")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 System not accepting network messages");
    static final ScriptedSmtpServer BACKUP = ScriptedSmtpServer.start().withName("backup");
    static final ScriptedSmtpServer SMARTHOST = ScriptedSmtpServer.start().withName("smarthost").requireAuth("relay", PASSWORD);
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start();
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + IntStream.rangeClosed(1, BURST).mapToObj(i -> "<route domain='cold" + i + ".test'>"
                + "<host priority='0'>" + FAILING.address() + "</host><host priority='10'>" + BACKUP.address() + "</host></route>")
                .collect(Collectors.joining())
            + authRoute("wrongauth.test", "intruder", WRONG_PASSWORD)
            + authRoute("rightauth.test", "relay", RIGHT_PASSWORD)
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    static String authRoute(String domain, String user, Path passwordFile) {
        return "<route domain='" + domain + "' tls='none' allowPlainAuth='true' allowUnverifiedAuth='true'>"
            + "<auth user='" + user + "' passwordFile='" + passwordFile + "'/><host>" + SMARTHOST.address() + "</host></route>";
    }

    @AfterAll
    static void stopHosts() throws IOException {
        MAIL_LOG.detach();
        List.of(FAILING, BACKUP, SMARTHOST, SENDERS).forEach(ScriptedSmtpServer::close);
        Files.deleteIfExists(RIGHT_PASSWORD);
        Files.deleteIfExists(WRONG_PASSWORD);
    }

    @Test
    void aColdBurstReachesTheHealthyBackupWithinSecondsAndNothingWaitsInTheRetryQueue(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);

        // Thirty mails at once, each to its own route: host 1 refuses, host 2 is healthy but has
        // not answered yet when the burst arrives.
        List<String> subjects = sendAtOnce(BURST, i -> Mails.send(port, "cold", "user@cold" + (i + 1) + ".test"));

        // retryInitial is 60 s: only mails that never went to the retry queue arrive this early.
        await().atMost(Duration.ofSeconds(30)).until(() -> subjects.stream().allMatch(subject -> Mails.withSubject(BACKUP, subject).size() == 1));
        assertThat(MAIL_LOG.linesContaining("Message queued for retry")).noneMatch(line -> line.contains("cold"));
        assertThat(FAILING.received()).isEmpty();
        // The failing host got its first sessions, then none while it was down.
        assertThat(FAILING.connectionCount()).isLessThanOrEqualTo(2);
    }

    @Test
    void aRefusedAuthOnOneRouteLeavesAnotherRoutesUseOfTheSameEndpointAtFullSpeed(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        // The endpoint is proven, then route wrongauth.test gets 535 there.
        String proof = Mails.send(port, "rightauth", "user@rightauth.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(SMARTHOST, proof).size() == 1);
        Mails.send(port, "wrongauth", "user@wrongauth.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> !MAIL_LOG.linesContaining("Message queued for retry").stream()
            .filter(line -> line.contains("535")).collect(Collectors.toList()).isEmpty());

        // The endpoint is not down for rightauth.test: a burst flows at once, many sessions at a time.
        SMARTHOST.delayReply(SmtpPhase.DOT, Duration.ofMillis(500));
        int connectionsBefore = SMARTHOST.connectionCount();
        List<String> subjects = sendAtOnce(10, i -> Mails.send(port, "rightauth", "user@rightauth.test"));

        await().atMost(Duration.ofSeconds(30)).until(() -> subjects.stream().allMatch(subject -> Mails.withSubject(SMARTHOST, subject).size() == 1));
        SMARTHOST.heal();
        assertThat(MAIL_LOG.linesContaining("Message queued for retry")).noneMatch(line -> line.contains("rightauth"));
        assertThat(SMARTHOST.connectionCount() - connectionsBefore).as("sessions opened side by side").isGreaterThan(2);
        assertThat(MAIL_LOG.linesContaining("Host down " + SMARTHOST.address() + " for route wrongauth.test")).isNotEmpty();
        assertThat(MAIL_LOG.lines()).noneMatch(line -> line.startsWith("Host down " + SMARTHOST.address() + " until"));
    }

    /** Sends {@code count} mails from as many threads at once; returns their subjects. */
    private static List<String> sendAtOnce(int count, java.util.function.IntFunction<String> send) {
        ExecutorService senders = Executors.newFixedThreadPool(count);
        try {
            List<CompletableFuture<String>> sends = IntStream.range(0, count)
                .mapToObj(i -> CompletableFuture.supplyAsync(() -> send.apply(i), senders))
                .collect(Collectors.toList());
            return sends.stream().map(CompletableFuture::join).collect(Collectors.toList());
        } finally {
            senders.shutdown();
        }
    }

    private static Path passwordFile(String password) {
        try {
            Path file = Files.createTempFile("route-auth", ".pw");
            Files.writeString(file, password + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
