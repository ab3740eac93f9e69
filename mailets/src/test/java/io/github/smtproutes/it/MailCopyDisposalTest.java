package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.core.Domain;
import org.apache.james.lifecycle.api.Disposable;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.util.Port;
import org.apache.james.utils.SMTPMessageSender;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Every copy of a mail SMTP Routes makes is released on every path, in a real James: large mails
 * deferred through an outage (retry queue, delay warnings, bounces), then drained when the host
 * is back. James copies a message of more than 100 KB into a temporary file
 * ({@code mimemessage-MailCopy-*.m64} in {@code java.io.tmpdir}, this module's target/ under
 * Maven); a copy that is not disposed leaves its file until the garbage collector finds it, and
 * James's leak detector then logs "Leak detected". Both are checked: no file outlives its mail,
 * and after forced garbage collections no leak is reported.
 */
class MailCopyDisposalTest {
    static final int MAILS = 20;
    static final int BODY_BYTES = 300 * 1024;
    static final String RETRY_REPOSITORY = "file://var/mail/smtp-routes/retry/";
    static final ScriptedSmtpServer HOST = ScriptedSmtpServer.start().withName("host")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Down for maintenance");
    static final ScriptedSmtpServer REFUSING = ScriptedSmtpServer.start().withName("refusing")
        .rcptReply("nobody@refused.test", "550 5.1.1 No such user");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final LeakLog LEAKS = LeakLog.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .edit("mailetcontainer.xml", "<retryInterval>10s</retryInterval>", "<retryInterval>1s</retryInterval>")
        .routes(() -> "<smtproutes>"
            // Retries every few seconds, and a delay warning from the second attempt on.
            + "<route domain='outage.test' delayWarning='1s'><host>" + HOST.address() + "</host>"
            + "<retry initial='1s' max='4s'/></route>"
            + "<route domain='refused.test'><host>" + REFUSING.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stop() {
        LEAKS.detach();
        HOST.close();
        REFUSING.close();
        SENDERS.close();
    }

    @Test
    void largeMailsDeferredThroughAnOutageThenDrainedLeaveNoTemporaryFileAndNoLeak(GuiceJamesServer server) throws Exception {
        // Copies left by earlier test classes in this JVM are reported now, not counted below.
        collectGarbageAndReportLeaks();
        LEAKS.clear();
        Set<String> filesBefore = mailCopyFiles();
        int port = RoutesJames.smtpPort(server);
        List<String> subjects = new ArrayList<>();
        for (int i = 0; i < MAILS; i++) {
            subjects.add(sendLarge(port, "user@outage.test"));
        }
        // A bounce of a large mail (Bouncer's copy), next to the deferrals.
        String refused = sendLarge(port, "nobody@refused.test");

        // Deferred, retried, warned about: every waiting mail had at least its second attempt.
        await().atMost(Duration.ofSeconds(90)).until(() -> retryKeys(server) == MAILS
            && delayWarningsAbout(subjects) == MAILS && !Mails.dsnsAbout(SENDERS, refused).isEmpty());
        // A copy made on those paths and not disposed keeps its file until a garbage collection.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(newFiles(filesBefore)).isEmpty());

        HOST.heal();
        String afterOutage = sendLarge(port, "user@outage.test");
        subjects.add(afterOutage);
        await().atMost(Duration.ofSeconds(90)).until(() -> subjects.stream().allMatch(subject -> Mails.withSubject(HOST, subject).size() == 1)
            && retryKeys(server) == 0);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(newFiles(filesBefore)).isEmpty());
        collectGarbageAndReportLeaks();
        assertThat(LEAKS.lines()).isEmpty();
    }

    private static int delayWarningsAbout(List<String> subjects) {
        return (int) subjects.stream()
            .filter(subject -> Mails.dsnsAbout(SENDERS, subject).stream().anyMatch(dsn -> dsn.data().contains("Action: delayed")))
            .count();
    }

    /** Drops unreachable objects and runs James's leak detector over them, as its next copy would. */
    private static void collectGarbageAndReportLeaks() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(200);
            Disposable.LeakAware.track();
        }
    }

    private static long retryKeys(GuiceJamesServer server) throws Exception {
        return RoutesJames.repositories(server).listMailKeys(MailRepositoryUrl.from(RETRY_REPOSITORY)).size();
    }

    private static List<String> newFiles(Set<String> before) {
        return mailCopyFiles().stream().filter(name -> !before.contains(name)).sorted().collect(Collectors.toList());
    }

    private static Set<String> mailCopyFiles() {
        File[] files = new File(System.getProperty("java.io.tmpdir"))
            .listFiles((dir, name) -> name.startsWith("mimemessage-MailCopy-") && name.endsWith(".m64"));
        return files == null ? Set.of() : Arrays.stream(files).map(File::getName).collect(Collectors.toSet());
    }

    private static String sendLarge(int smtpPort, String recipient) {
        String subject = Mails.uniqueSubject("large");
        StringBuilder body = new StringBuilder(BODY_BYTES + 100);
        String line = "0123456789".repeat(7) + "\r\n";
        while (body.length() < BODY_BYTES) {
            body.append(line);
        }
        String message = "From: " + Mails.SENDER + "\r\n"
            + "To: " + recipient + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + UUID.randomUUID() + "@senders.test>\r\n"
            + "\r\n"
            + body;
        try (SMTPMessageSender smtp = new SMTPMessageSender(Domain.LOCALHOST.asString())) {
            smtp.connect("127.0.0.1", Port.of(smtpPort)).sendMessageWithHeaders(Mails.SENDER, List.of(recipient), message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return subject;
    }

    /** The errors of James's leak detector ("Leak detected! Resource ... was not released"). */
    static final class LeakLog extends AppenderBase<ILoggingEvent> {
        private static final String LOGGER = Disposable.LeakAwareFinalizer.class.getName();
        private final List<String> lines = new ArrayList<>();

        static LeakLog attach() {
            LeakLog log = new LeakLog();
            log.start();
            ((Logger) LoggerFactory.getLogger(LOGGER)).addAppender(log);
            return log;
        }

        void detach() {
            ((Logger) LoggerFactory.getLogger(LOGGER)).detachAppender(this);
            stop();
        }

        @Override
        protected synchronized void append(ILoggingEvent event) {
            if (event.getLevel().isGreaterOrEqual(Level.ERROR)) {
                lines.add(event.getFormattedMessage());
            }
        }

        synchronized void clear() {
            lines.clear();
        }

        synchronized List<String> lines() {
            return List.copyOf(lines);
        }
    }
}
