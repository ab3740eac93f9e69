package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedDnsServer;
import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * The USEDNS rows of the outcome table in a real James, with a DNS server that answers what each
 * test says (a scripted one on 127.0.0.1, given to SmtpRouteDelivery as {@code dnsServers}): a
 * null MX and a domain that does not exist bounce at once, a DNS server failure defers, an MX
 * name that cannot be used is skipped for the next MX. MX hosts take mail on port 25, so the MX
 * host listens on 127.0.0.3:25 (loopback).
 */
class UsednsOutcomeTest {
    static final ScriptedSmtpServer MX = ScriptedSmtpServer.start("127.0.0.3", 25).withName("mx");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();
    static final ScriptedDnsServer DNS = ScriptedDnsServer.start()
        .mx("ok.dns.test", 10, "mx.dns.test")
        .a("mx.dns.test", "127.0.0.3")
        .mx("nullmx.dns.test", 0, ".")
        .servfail("servfail.dns.test")
        .mx("underscore.dns.test", 5, "bad_name.dns.test")
        .mx("underscore.dns.test", 10, "mx.dns.test")
        .a("bad_name.dns.test", "127.0.0.3")
        .servfail("later.retry.dns.test");

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .mailetParameter("dnsServers", DNS.address())
        .routes(() -> "<smtproutes>"
            // A long first retry keeps a deferred mail waiting for the assertions.
            + "<route domain='.dns.test'><host>USEDNS</host><retry initial='1h'/></route>"
            // Retried soon: the next attempt comes with the next retry tick.
            + "<route domain='.retry.dns.test'><host>USEDNS</host><retry initial='1s'/></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stop() {
        MAIL_LOG.detach();
        MX.close();
        SENDERS.close();
        DNS.close();
    }

    @Test
    void aNormalMxIsDeliveredTo(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "ok", "user@ok.dns.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(MX, subject).size() == 1);
        assertThat(DNS.questions()).contains("ok.dns.test. MX");
    }

    @Test
    void aNullMxBouncesAtOnceWith5110(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "nullmx", "user@nullmx.dns.test");

        ReceivedMail dsn = awaitDsnAbout(subject);
        assertThat(dsn.data()).contains("Final-Recipient: rfc822; user@nullmx.dns.test", "Status: 5.1.10", "null MX");
        assertThat(Mails.withSubject(MX, subject)).isEmpty();
        assertThat(waitingFor(server, "nullmx.dns.test")).isEmpty();
        assertThat(MAIL_LOG.linesContaining("Bounced: DCID 0")).anySatisfy(line -> assertThat(line).contains("user@nullmx.dns.test", "5.1.10"));
    }

    @Test
    void aDomainThatDoesNotExistBouncesAtOnce(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "nx", "user@nx.dns.test");

        ReceivedMail dsn = awaitDsnAbout(subject);
        assertThat(dsn.data()).contains("Final-Recipient: rfc822; user@nx.dns.test", "Status: 5.1.2", "NXDOMAIN");
        assertThat(waitingFor(server, "nx.dns.test")).isEmpty();
    }

    @Test
    void aDnsServerFailureDefers(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "servfail", "user@servfail.dns.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> waitingFor(server, "servfail.dns.test").isPresent());
        Mail waiting = waitingFor(server, "servfail.dns.test").orElseThrow();
        assertThat(RetryState.attempts(waiting)).isEqualTo(1);
        assertThat(RetryState.lastError(waiting)).hasValueSatisfying(error -> assertThat(error).startsWith("451 4.4.3").contains("SERVFAIL"));
        assertThat(Mails.dsnsAbout(SENDERS, subject)).isEmpty();
    }

    @Test
    void anUnusableMxNameIsSkippedForTheNextMxAndLogged(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "underscore", "user@underscore.dns.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.withSubject(MX, subject).size() == 1);
        assertThat(MAIL_LOG.linesContaining("MX lookup domain underscore.dns.test"))
            .anySatisfy(line -> assertThat(line).contains("bad_name.dns.test", "skipped", "'_'"));
        assertThat(Mails.dsnsAbout(SENDERS, subject)).isEmpty();
    }

    @Test
    void aNullMxFoundOnARetryBouncesAndLeavesTheRetryQueue(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "later", "user@later.retry.dns.test");
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingFor(server, "later.retry.dns.test").isPresent());

        DNS.mx("later.retry.dns.test", 0, ".").answer("later.retry.dns.test");

        ReceivedMail dsn = awaitDsnAbout(subject);
        assertThat(dsn.data()).contains("Final-Recipient: rfc822; user@later.retry.dns.test", "Status: 5.1.10");
        await().atMost(Duration.ofSeconds(30)).until(() -> waitingFor(server, "later.retry.dns.test").isEmpty());
    }

    private static ReceivedMail awaitDsnAbout(String subject) {
        await().atMost(Duration.ofSeconds(30)).until(() -> Mails.dsnsAbout(SENDERS, subject).size() == 1);
        return Mails.dsnsAbout(SENDERS, subject).get(0);
    }

    private static Optional<Mail> waitingFor(GuiceJamesServer server, String domain) {
        List<Mail> waiting = OutcomeTableTest.retryMails(server);
        return waiting.stream().filter(mail -> mail.getRecipients().toString().contains("@" + domain)).findFirst();
    }
}
