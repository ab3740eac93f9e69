package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * How recipients share SMTP transactions, in a real James: recipients of several domains routed
 * to the same fixed host go in one transaction (RFC 5321 4.5.4.1, one copy per host), and a
 * {@code 552} to one RCPT is the temporary {@code 452} (RFC 5321 4.5.3.1.10), so that recipient
 * goes on to the next host instead of bouncing.
 */
class RecipientTransactionsTest {
    static final ScriptedSmtpServer SMARTHOST = ScriptedSmtpServer.start().withName("smarthost");
    static final ScriptedSmtpServer FIRST = ScriptedSmtpServer.start().withName("first")
        .rcptReply("many@rcpt-552.test", "552 5.5.3 Too many recipients");
    static final ScriptedSmtpServer NEXT = ScriptedSmtpServer.start().withName("next");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='ALL'><host>" + SMARTHOST.address() + "</host></route>"
            + "<route domain='rcpt-552.test'><host priority='0'>" + FIRST.address() + "</host>"
            + "<host priority='10'>" + NEXT.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        SMARTHOST.close();
        FIRST.close();
        NEXT.close();
        SENDERS.close();
    }

    @Test
    void recipientsOfThreeDomainsOnOneSmarthostRouteGoInOneTransaction(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "one-copy", "a@x.test", "b@y.test", "c@z.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> !Mails.withSubject(SMARTHOST, subject).isEmpty());
        assertThat(Mails.withSubject(SMARTHOST, subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactlyInAnyOrder("a@x.test", "b@y.test", "c@z.test"));
    }

    @Test
    void a552ToRcptSendsThatRecipientToTheNextHostWithoutBounce(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "rcpt-552", "ok@rcpt-552.test", "many@rcpt-552.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(NEXT, subject).size() == 1);
        assertThat(Mails.withSubject(FIRST, subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("ok@rcpt-552.test"));
        assertThat(Mails.withSubject(NEXT, subject)).singleElement()
            .satisfies(mail -> assertThat(mail.recipients()).containsExactly("many@rcpt-552.test"));
        assertThat(Mails.dsnsAbout(SENDERS, subject)).isEmpty();
    }
}
