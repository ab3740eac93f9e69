package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * A failure on this side is never the host's: a mail whose body cannot be read while it is being
 * sent marks no host down, is not sent to the next host (it would fail the same way), and goes to
 * James's error processor once, with a reason that says what failed. The mail's body is made
 * unreadable by a test mailet just before SmtpRouteDelivery ({@link UnreadableBodyOnce}).
 */
class LocalFailureTest {
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final MailRepositoryUrl ERROR_REPOSITORY = MailRepositoryUrl.from("file://var/mail/error/");
    static final ScriptedSmtpServer FIRST = ScriptedSmtpServer.start().withName("first");
    static final ScriptedSmtpServer SECOND = ScriptedSmtpServer.start().withName("second");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .edit("mailetcontainer.xml", "<mailet match=\"io.github.smtproutes.HasSmtpRoute\" class=\"io.github.smtproutes.SmtpRouteDelivery\">",
            "<mailet match=\"HostIs=unreadable.test\" class=\"" + UnreadableBodyOnce.class.getName() + "\"/>"
                + "<mailet match=\"io.github.smtproutes.HasSmtpRoute\" class=\"io.github.smtproutes.SmtpRouteDelivery\">")
        .routes(() -> "<smtproutes>"
            + "<route domain='unreadable.test'><host priority='0'>" + FIRST.address() + "</host>"
            + "<host priority='10'>" + SECOND.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        List.of(FIRST, SECOND, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void anUnreadableMailGoesToTheErrorProcessorOnceAndMarksNoHostDown(GuiceJamesServer server) throws Exception {
        String subject = Mails.send(RoutesJames.smtpPort(server), "unreadable", "user@unreadable.test");

        await().atMost(PATIENCE).until(() -> inErrorRepository(server, subject).size() == 1);
        Mail kept = inErrorRepository(server, subject).get(0);
        assertThat(kept.getRecipients()).extracting(Object::toString).containsExactly("user@unreadable.test");
        assertThat(kept.getErrorMessage()).contains("failure on this side", UnreadableBodyOnce.FAILURE);

        // The first host was asked once and got no mail (no final dot); nobody failed over to the second.
        assertThat(FIRST.connectionCount()).isEqualTo(1);
        assertThat(FIRST.received()).isEmpty();
        assertThat(SECOND.connectionCount()).isZero();
        assertThat(MAIL_LOG.linesContaining("Host down")).isEmpty();
        assertThat(MAIL_LOG.linesContaining("Local error")).singleElement()
            .satisfies(line -> assertThat(line).contains(UnreadableBodyOnce.FAILURE));
        assertThat(MAIL_LOG.linesContaining("Message queued for retry")).isEmpty();

        // Nothing loops: a while later the mail is still there once, and no host heard of it again.
        Thread.sleep(3_000);
        assertThat(inErrorRepository(server, subject)).hasSize(1);
        assertThat(FIRST.connectionCount()).isEqualTo(1);
        assertThat(SECOND.connectionCount()).isZero();
        assertThat(MAIL_LOG.linesContaining("Local error")).hasSize(1);
    }

    private static List<Mail> inErrorRepository(GuiceJamesServer server, String subject) throws Exception {
        MailRepositoryProbeImpl repositories = RoutesJames.repositories(server);
        List<Mail> found = new ArrayList<>();
        for (MailKey key : repositories.listMailKeys(ERROR_REPOSITORY)) {
            Mail mail = repositories.getMail(ERROR_REPOSITORY, key);
            if (mail != null && subject.equals(mail.getMessage().getSubject())) {
                found.add(mail);
            }
        }
        return found;
    }
}
