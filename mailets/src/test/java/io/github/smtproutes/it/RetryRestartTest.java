package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.time.Duration;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Mails waiting in the shipped file:// retry repository survive a James restart: James is
 * stopped while they wait and started again on the same working directory; its scheduler finds
 * them at start and delivers them, each exactly once.
 */
class RetryRestartTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    final ScriptedSmtpServer destination = ScriptedSmtpServer.start().withName("restart")
        .reply(SmtpPhase.RCPT, "451 4.3.0 Come back after the restart");
    final RoutesJames james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes><route domain='restart.test'><host>" + destination.address() + "</host>"
            + "<retry initial='1s' max='2s'/></route></smtproutes>")
        .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>", "<retryInterval>200ms</retryInterval>");
    GuiceJamesServer running;

    @AfterEach
    void stop() {
        if (running != null) {
            running.stop();
        }
        destination.close();
    }

    @Test
    void waitingMailsAreDeliveredAfterARestartOnTheSameWorkingDirectory(@TempDir File workingDirectory) throws Exception {
        running = james.server(workingDirectory);
        running.start();
        String first = Mails.send(RoutesJames.smtpPort(running), "restart", "one@restart.test");
        String second = Mails.send(RoutesJames.smtpPort(running), "restart", "two@restart.test");
        await().atMost(PATIENCE).until(() -> RetryQueueScenarioTest.attemptsOf(running, first) >= 1
            && RetryQueueScenarioTest.attemptsOf(running, second) >= 1);
        running.stop();
        running = null;
        int attemptsBefore = destination.connectionCount();

        destination.heal();
        running = james.server(workingDirectory);
        running.start();

        await().atMost(PATIENCE).until(() -> RetryQueueScenarioTest.countWithSubject(destination, first) == 1
            && RetryQueueScenarioTest.countWithSubject(destination, second) == 1);
        await().atMost(PATIENCE).until(() -> RetryQueueScenarioTest.waitingWithSubject(running, first).isEmpty()
            && RetryQueueScenarioTest.waitingWithSubject(running, second).isEmpty());
        assertThat(destination.connectionCount()).isGreaterThan(attemptsBefore);
        assertThat(List.of(first, second)).allSatisfy(subject ->
            assertThat(RetryQueueScenarioTest.countWithSubject(destination, subject)).isEqualTo(1));
    }
}
