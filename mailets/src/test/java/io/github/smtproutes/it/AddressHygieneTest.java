package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * The address hygiene of the SMTP intake, tried by an outsider against a real James booted from
 * the shipped conf: an inbound recipient whose local part is quoted or holds {@code @ % !} or a
 * backslash is refused at RCPT with 553 (it used to reach James's RecipientRewriteTable, throw, and
 * be bounced with the whole message to a forged sender); an address with a control character is
 * refused from anyone, authenticated users included, so it is never written into MAIL/RCPT
 * toward a downstream host. Plain recipients still pass.
 */
class AddressHygieneTest {
    static final ScriptedSmtpServer EXCHANGE = ScriptedSmtpServer.start().withName("exchange");
    static final ScriptedSmtpServer PARTNER = ScriptedSmtpServer.start().withName("partner");
    static final MailRepositoryUrl ERROR_REPOSITORY = MailRepositoryUrl.from("file://var/mail/error/");

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='company.test' inbound='true'><host>" + EXCHANGE.address() + "</host></route>"
            + "<route domain='partner.test'><host>" + PARTNER.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeAll
    static void createUser(GuiceJamesServer server) throws Exception {
        OutsiderJames.createUser(server);
    }

    @AfterAll
    static void stopHosts() {
        List.of(EXCHANGE, PARTNER).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void quotedPercentBangAndBackslashLocalPartsOfAnInboundDomainAreRefusedAtRcpt(GuiceJamesServer server) throws Exception {
        String subject = Mails.uniqueSubject("hygiene");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.mailFrom("victim@anywhere.example").code()).isEqualTo(250);
            List<SmtpDialog.Reply> refused = List.of(
                smtp.rcptTo("\"a@b\"@company.test"),
                smtp.rcptTo("\"plain\"@company.test"),
                smtp.rcptTo("user%relay.example@company.test"),
                smtp.rcptTo("relay.example!user@company.test"),
                smtp.rcptTo("user\\@relay.example@company.test"));
            assertThat(refused).allSatisfy(reply -> {
                assertThat(reply.code()).isEqualTo(553);
                assertThat(reply.text()).contains("5.1.3").contains("is not accepted by this gateway");
            });
            assertThat(refused.get(0).text()).contains("in quotes");
            assertThat(refused.get(2).text()).contains("'%'");
            // A plain local part of the same domain still passes, in the same transaction.
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(250);
            assertThat(smtp.data("victim@anywhere.example", subject).code()).isEqualTo(250);
        }

        assertThat(InboundGatewayTest.awaitMail(EXCHANGE, subject).recipients()).containsExactly("user@company.test");
        assertThat(RoutesJames.repositories(server).getRepositoryMailCount(ERROR_REPOSITORY)).isZero();
    }

    @Test
    void aRecipientWithAControlCharacterIsRefusedEvenForAnAuthenticatedUser(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            // James's own parser refuses a quoted CR or NUL, but takes them backslash-escaped, and takes ESC.
            for (String recipient : List.of("a\\\rRSET@partner.test", "\"a\u001b[2Jb\"@partner.test",
                    "a\\\u0000b@company.test", "a\\\rb@company.test")) {
                SmtpDialog.Reply reply = smtp.rcptTo(recipient);
                assertThat(reply.code()).as(recipient).isEqualTo(553);
                assertThat(reply.text()).contains("5.1.3 Recipient address contains a control character");
            }
        }
        assertThat(PARTNER.transcript()).isEmpty();
        assertThat(EXCHANGE.transcript()).noneMatch(line -> line.indexOf('\u001b') >= 0 || line.indexOf('\u0000') >= 0);
    }

    @Test
    void aSenderWithAControlCharacterIsRefusedAtMail(GuiceJamesServer server) {
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            SmtpDialog.Reply reply = smtp.mailFrom("x\\\rRSET@internet.example");
            assertThat(reply.code()).isEqualTo(553);
            assertThat(reply.text()).contains("5.1.7 Sender address contains a control character");
            assertThat(smtp.mailFrom("\"x\u001b[2Jy\"@internet.example").code()).isEqualTo(553);
            // The session goes on: the refused MAIL did not start a transaction.
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(503);
        }
    }
}
