package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.james.GuiceJamesServer;
import org.apache.james.mailrepository.api.MailKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

import io.github.smtproutes.retry.RetryScheduler;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * A waiting mail whose files vanished from the shipped file:// retry repository: the repository
 * still lists its key, fails to read it and returns nothing. SMTP Routes says so in its log, once,
 * drops the key and does not ask for it again.
 */
class UnreadableWaitingMailTest {
    static final Duration PATIENCE = Duration.ofSeconds(30);

    final ScriptedSmtpServer destination = ScriptedSmtpServer.start().withName("unreadable")
        .reply(SmtpPhase.RCPT, "452 4.2.2 Mailbox full");
    final RoutesJames james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes><route domain='unreadable.test'><host>" + destination.address() + "</host>"
            + "<retry initial='4s' max='4s'/></route></smtproutes>")
        .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>", "<retryInterval>200ms</retryInterval>");
    final ListAppender<ILoggingEvent> schedulerLog = new ListAppender<>();
    final Logger scheduler = (Logger) LoggerFactory.getLogger(RetryScheduler.class);
    GuiceJamesServer running;

    @AfterEach
    void stop() {
        scheduler.detachAppender(schedulerLog);
        if (running != null) {
            running.stop();
        }
        destination.close();
    }

    @Test
    void aListedKeyWhoseMailIsGoneIsLoggedOnceAndDropped(@TempDir File workingDirectory) throws Exception {
        schedulerLog.start();
        scheduler.addAppender(schedulerLog);
        running = james.server(workingDirectory);
        running.start();
        String subject = Mails.send(RoutesJames.smtpPort(running), "unreadable", "user@unreadable.test");
        await().atMost(PATIENCE).until(() -> !RetryQueueScenarioTest.waitingWithSubject(running, subject).isEmpty());
        List<MailKey> keys = RoutesJames.repositories(running).listMailKeys(RetryQueueScenarioTest.RETRY_REPOSITORY);
        assertThat(keys).hasSize(1);
        String key = keys.get(0).asString();

        deleteFilesOf(workingDirectory.toPath().resolve("var/mail/smtp-routes/retry"));
        long askedBefore = rcpts();

        await().atMost(PATIENCE).until(() -> linesAbout(key).size() == 1);
        await().atMost(PATIENCE).until(() -> RoutesJames.repositories(running).listMailKeys(RetryQueueScenarioTest.RETRY_REPOSITORY).isEmpty());
        Thread.sleep(3000);
        assertThat(linesAbout(key)).singleElement().satisfies(line -> assertThat(line).contains("listed but the repository returned nothing"));
        assertThat(rcpts()).isEqualTo(askedBefore);
    }

    private List<String> linesAbout(String key) {
        synchronized (schedulerLog) {
            return schedulerLog.list.stream().map(ILoggingEvent::getFormattedMessage).filter(line -> line.contains(key))
                .collect(Collectors.toList());
        }
    }

    private long rcpts() {
        return destination.transcript().stream().filter(line -> line.contains("RCPT TO:<user@unreadable.test>")).count();
    }

    private static void deleteFilesOf(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(Files::isRegularFile).collect(Collectors.toList())) {
                Files.delete(file);
            }
        }
    }
}
