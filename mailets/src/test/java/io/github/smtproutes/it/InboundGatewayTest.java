package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * Inbound gateway mode in a real James whose SMTP client (127.0.0.1) is an outsider: mail for
 * the organisation's domains (routes with {@code inbound="true"}) is accepted from anyone and
 * delivered inward through the route, with failover; every other domain, outbound-only routes
 * and the {@code ALL} route included, is refused at RCPT unless the client authenticates. James
 * must never become an open relay.
 */
class InboundGatewayTest {
    static final ScriptedSmtpServer EXCHANGE_DOWN = ScriptedSmtpServer.start().withName("exchange-down")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Service not available");
    static final ScriptedSmtpServer EXCHANGE = ScriptedSmtpServer.start().withName("exchange");
    static final ScriptedSmtpServer BRANCH = ScriptedSmtpServer.start().withName("branch");
    static final ScriptedSmtpServer BRANCH_OUTBOUND = ScriptedSmtpServer.start().withName("branch-outbound");
    static final ScriptedSmtpServer PARTNER = ScriptedSmtpServer.start().withName("partner");
    static final ScriptedSmtpServer INTERNET = ScriptedSmtpServer.start().withName("internet");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            // The organisation's own domains: accepted from the internet, delivered inward.
            + "<route domain='company.test' inbound='true'>"
            + "<host priority='0'>" + EXCHANGE_DOWN.address() + "</host><host priority='10'>" + EXCHANGE.address() + "</host></route>"
            + "<route domain='.branch.test' inbound='true'><host>" + BRANCH.address() + "</host></route>"
            // A more specific outbound-only route inside an inbound .partial one stays outbound-only.
            + "<route domain='outbound.branch.test'><host>" + BRANCH_OUTBOUND.address() + "</host></route>"
            // Outbound-only: for authenticated users and authorised networks.
            + "<route domain='partner.test'><host>" + PARTNER.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "<route domain='ALL'><host>" + INTERNET.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeAll
    static void createUser(GuiceJamesServer server) throws Exception {
        OutsiderJames.createUser(server);
    }

    @AfterAll
    static void stopHosts() {
        List.of(EXCHANGE_DOWN, EXCHANGE, BRANCH, BRANCH_OUTBOUND, PARTNER, INTERNET, SENDERS)
            .forEach(ScriptedSmtpServer::close);
    }

    @Test
    void anOutsiderCanSendToAnInboundDomainAndTheMailGoesInwardThroughTheRouteWithFailover(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("inbound");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.mailFrom("someone@internet.example").code()).isEqualTo(250);
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(250);
            assertThat(smtp.data("someone@internet.example", subject).code()).isEqualTo(250);
        }

        ReceivedMail mail = awaitMail(EXCHANGE, subject);
        assertThat(mail.recipients()).containsExactly("user@company.test");
        assertThat(mail.sender()).isEqualTo("someone@internet.example");
        assertThat(EXCHANGE_DOWN.received()).isEmpty();
    }

    @Test
    void anOutsiderCanSendToASubdomainOfAnInboundPartialRoute(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("partial");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            assertThat(smtp.rcptTo("hr@paris.branch.test").code()).isEqualTo(250);
            assertThat(smtp.data("someone@internet.example", subject).code()).isEqualTo(250);
        }

        assertThat(awaitMail(BRANCH, subject).recipients()).containsExactly("hr@paris.branch.test");
    }

    @Test
    void aNullSenderNotificationFromTheInternetReachesAnInboundDomain(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("dsn");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.mailFrom("").code()).isEqualTo(250);
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(250);
            assertThat(smtp.data("mailer-daemon@internet.example", subject).code()).isEqualTo(250);
        }

        assertThat(awaitMail(EXCHANGE, subject).sender()).isEmpty();
    }

    @Test
    void anOutsiderIsRefusedAtRcptForOutboundOnlyRoutesAndTheAllRouteButKeepsItsInboundRecipients(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("mixed");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("spammer@internet.example");
            SmtpDialog.Reply partner = smtp.rcptTo("victim@partner.test");
            SmtpDialog.Reply anywhere = smtp.rcptTo("victim@anywhere.example");
            SmtpDialog.Reply outboundInsideInbound = smtp.rcptTo("victim@outbound.branch.test");
            SmtpDialog.Reply company = smtp.rcptTo("user@company.test");
            assertThat(smtp.data("spammer@internet.example", subject).code()).isEqualTo(250);

            // AUTH is only offered after STARTTLS, so James denies relaying: 550 5.7.1.
            assertThat(List.of(partner, anywhere, outboundInsideInbound))
                .allSatisfy(reply -> assertThat(reply.code()).isEqualTo(550));
            assertThat(company.code()).isEqualTo(250);
        }

        // The one accepted recipient arrives alone: the refused ones were never part of the mail.
        assertThat(awaitMail(EXCHANGE, subject).recipients()).containsExactly("user@company.test");
        assertThat(PARTNER.received()).isEmpty();
        assertThat(INTERNET.received()).isEmpty();
        assertThat(BRANCH_OUTBOUND.received()).isEmpty();
    }

    @Test
    void aWrongPasswordDoesNotOpenTheRelay(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.startTls().code()).isEqualTo(220);
            assertThat(smtp.authPlain(OutsiderJames.USER, "guessed").code()).isEqualTo(535);
            smtp.mailFrom("spammer@internet.example");
            // Over TLS AUTH is offered, so James asks for it: 530 5.7.1 Authentication Required.
            assertThat(smtp.rcptTo("victim@anywhere.example").code()).isEqualTo(530);
        }
    }

    @Test
    void anAuthenticatedClientCanUseOutboundRoutesAndTheAllRoute(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("authenticated");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            smtp.mailFrom("sender@senders.test");
            assertThat(smtp.rcptTo("friend@partner.test").code()).isEqualTo(250);
            assertThat(smtp.rcptTo("friend@anywhere.example").code()).isEqualTo(250);
            assertThat(smtp.data("sender@senders.test", subject).code()).isEqualTo(250);
        }

        assertThat(awaitMail(PARTNER, subject).recipients()).containsExactly("friend@partner.test");
        assertThat(awaitMail(INTERNET, subject).recipients()).containsExactly("friend@anywhere.example");
    }

    static ReceivedMail awaitMail(ScriptedSmtpServer host, String subject) {
        await().atMost(Duration.ofSeconds(30))
            .until(() -> host.received().stream().anyMatch(mail -> subject.equals(mail.header("Subject").orElse(""))));
        return host.received().stream().filter(mail -> subject.equals(mail.header("Subject").orElse(""))).findFirst().orElseThrow();
    }
}
