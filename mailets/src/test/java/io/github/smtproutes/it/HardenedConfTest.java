package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ReceivedMail;
import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * The shipped {@code conf/} as the internet meets it, in a real James with 127.0.0.1 an outsider
 * and no key store laid out beforehand (James generates one at first start, as it does for
 * {@code ./run-james} and the Docker image): port 25 offers STARTTLS and AUTH only over it, and
 * refuses AUTH sent in clear; port 587 relays only for authenticated users; the message size and
 * recipient limits hold for inbound mail too; SMTP Routes' bounces are counted apart from stock
 * {@code bounces}.
 */
class HardenedConfTest {
    static final ScriptedSmtpServer EXCHANGE = ScriptedSmtpServer.start().withName("exchange");
    static final ScriptedSmtpServer PARTNER = ScriptedSmtpServer.start().withName("partner")
        .rcptReply("nobody@partner.test", "550 5.1.1 No such user");
    static final ScriptedSmtpServer SENDERS = ScriptedSmtpServer.start().withName("senders");
    static final int SUBMISSION_PORT = freePort();

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .withoutPrebuiltKeystore()
        .submissionPort(SUBMISSION_PORT)
        .routes(() -> "<smtproutes>"
            + "<route domain='company.test' inbound='true'><host>" + EXCHANGE.address() + "</host></route>"
            + "<route domain='partner.test'><host>" + PARTNER.address() + "</host></route>"
            + "<route domain='senders.test'><host>" + SENDERS.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeAll
    static void createUser(GuiceJamesServer server) throws Exception {
        OutsiderJames.createUser(server);
    }

    @AfterAll
    static void stopHosts() {
        List.of(EXCHANGE, PARTNER, SENDERS).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void port25OffersAuthOnlyAfterStartTlsAndRefusesAuthSentInClear(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.ehlo().text()).contains("STARTTLS").doesNotContain("AUTH");
            // The right password, in clear: refused before it is even checked.
            SmtpDialog.Reply inClear = smtp.authPlain(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(inClear.code()).isEqualTo(538);
            assertThat(inClear.text()).contains("5.7.11");

            assertThat(smtp.startTls().code()).isEqualTo(220);
            assertThat(smtp.ehlo().text()).contains("AUTH");
            assertThat(smtp.authPlain(OutsiderJames.USER, OutsiderJames.PASSWORD).code()).isEqualTo(235);
        }
    }

    @Test
    void submissionRelaysOnlyForAuthenticatedUsersAndNotForInboundDomains(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(SUBMISSION_PORT)) {
            assertThat(smtp.ehlo().text()).contains("STARTTLS");
            assertThat(smtp.startTls().code()).isEqualTo(220);
            smtp.mailFrom("someone@internet.example");
            // No inbound gateway here: every relay needs AUTH.
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(530);
            assertThat(smtp.rcptTo("friend@partner.test").code()).isEqualTo(530);
        }
        String subject = Mails.uniqueSubject("submission");
        try (SmtpDialog smtp = SmtpDialog.open(SUBMISSION_PORT)) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            assertThat(smtp.rcptTo("\"a\u001b[2J\"@partner.test").code()).isEqualTo(553);
            assertThat(smtp.rcptTo("friend@partner.test").code()).isEqualTo(250);
            assertThat(smtp.data(Mails.SENDER, subject).code()).isEqualTo(250);
        }
        assertThat(InboundGatewayTest.awaitMail(PARTNER, subject).recipients()).containsExactly("friend@partner.test");
    }

    @Test
    void theMessageSizeLimitHoldsForInboundMail(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.ehlo().text()).contains("SIZE 26214400");
            assertThat(smtp.command("MAIL FROM:<someone@internet.example> SIZE=26214401").code()).isEqualTo(552);
        }
    }

    @Test
    void theRecipientLimitHoldsForInboundRecipients(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.mailFrom("someone@internet.example");
            for (int index = 1; index <= 100; index++) {
                assertThat(smtp.rcptTo("user" + index + "@company.test").code()).isEqualTo(250);
            }
            SmtpDialog.Reply tooMany = smtp.rcptTo("user101@company.test");
            assertThat(tooMany.code()).isEqualTo(452);
        }
    }

    @Test
    void smtpRoutesBouncesAreCountedApartFromStockBounces(GuiceJamesServer server) {
        String subject = Mails.uniqueSubject("bounce");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            assertThat(smtp.rcptTo("nobody@partner.test").code()).isEqualTo(250);
            assertThat(smtp.data(Mails.SENDER, subject).code()).isEqualTo(250);
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> !Mails.dsnsAbout(SENDERS, subject).isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(metrics(server))
            .containsPattern("(?m)^\\w*smtpRoutesBounces\\w* 1\\.0$"));
    }

    @Test
    void aMailThatBreaksAMailetIsKeptAndItsTrustedSenderGetsANoticeWithoutTheMessage(GuiceJamesServer server) throws Exception {
        // A quoted '@' makes James's RecipientRewriteTable throw: the mail goes to the error processor.
        // Outsiders cannot send it to an inbound domain any more; an authenticated user still can, elsewhere.
        String subject = Mails.uniqueSubject("error");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            assertThat(smtp.rcptTo("\"a@b\"@partner.test").code()).isEqualTo(250);
            assertThat(smtp.data(Mails.SENDER, subject).code()).isEqualTo(250);
        }

        MailRepositoryUrl errors = MailRepositoryUrl.from("file://var/mail/error/");
        await().atMost(Duration.ofSeconds(30)).until(() -> RoutesJames.repositories(server).getRepositoryMailCount(errors) > 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> !Mails.dsnsAbout(SENDERS, subject).isEmpty());
        ReceivedMail notice = Mails.dsnsAbout(SENDERS, subject).get(0);
        assertThat(notice.recipients()).containsExactly(Mails.SENDER);
        assertThat(notice.data()).doesNotContain("message/rfc822").doesNotContain("Body of " + subject);
    }

    private static String metrics(GuiceJamesServer server) {
        return ReloadedRouteRelayTest.webAdmin(server).get("/metrics").then().statusCode(200).extract().asString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
