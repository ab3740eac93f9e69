package io.github.smtproutes.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepositoryUrl;
import org.apache.james.utils.MailRepositoryProbeImpl;
import org.apache.james.utils.WebAdminGuiceProbe;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;
import io.restassured.specification.RequestSpecification;

/**
 * Waiting mail whose route a reload removed goes back through James's own relay rules with the
 * rights it arrived with, never with a mailet's: an outsider's mail, accepted only because its
 * domain was inbound, ends in {@code relay-denied}; an authenticated user's mail still relays
 * (here through stock RemoteDelivery, pointed at a scripted gateway). Real James from the shipped
 * conf, 127.0.0.1 an outsider.
 */
class ReloadedRouteRelayTest {
    static final ScriptedSmtpServer EXCHANGE_DOWN = ScriptedSmtpServer.start().withName("exchange-down")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Service not available");
    static final ScriptedSmtpServer PARTNER_DOWN = ScriptedSmtpServer.start().withName("partner-down")
        .reply(SmtpPhase.CONNECT, "421 4.3.2 Service not available");
    static final ScriptedSmtpServer STOCK_GATEWAY = ScriptedSmtpServer.start().withName("remote-delivery-gateway");
    static final MailRepositoryUrl RETRY = MailRepositoryUrl.from("file://var/mail/smtp-routes/retry/");
    static final MailRepositoryUrl RELAY_DENIED = MailRepositoryUrl.from("file://var/mail/relay-denied/");

    @RegisterExtension
    static JamesServerExtension james = OutsiderJames.fromRepoConf()
        .routes(() -> "<smtproutes>"
            + "<route domain='company.test' inbound='true'><host>" + EXCHANGE_DOWN.address() + "</host></route>"
            + "<route domain='partner.test'><host>" + PARTNER_DOWN.address() + "</host></route>"
            + "</smtproutes>")
        // Stock RemoteDelivery, which takes domains without a route, sends through a scripted gateway.
        .edit("mailetcontainer.xml", "<bounceProcessor>bounces</bounceProcessor>",
            "<bounceProcessor>bounces</bounceProcessor><gateway>" + STOCK_GATEWAY.address() + "</gateway>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @BeforeAll
    static void createUser(GuiceJamesServer server) throws Exception {
        OutsiderJames.createUser(server);
    }

    @AfterAll
    static void stopHosts() {
        List.of(EXCHANGE_DOWN, PARTNER_DOWN, STOCK_GATEWAY).forEach(ScriptedSmtpServer::close);
    }

    @Test
    void waitingMailWhoseRouteIsRemovedKeepsOnlyTheRelayRightsItArrivedWith(GuiceJamesServer server) throws Exception {
        String outsiders = Mails.uniqueSubject("outsider");
        String users = Mails.uniqueSubject("authenticated");
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            assertThat(smtp.mailFrom("someone@internet.example").code()).isEqualTo(250);
            assertThat(smtp.rcptTo("user@company.test").code()).isEqualTo(250);
            assertThat(smtp.data("someone@internet.example", outsiders).code()).isEqualTo(250);
        }
        try (SmtpDialog smtp = SmtpDialog.open(RoutesJames.smtpPort(server))) {
            smtp.authenticate(OutsiderJames.USER, OutsiderJames.PASSWORD);
            assertThat(smtp.mailFrom(Mails.SENDER).code()).isEqualTo(250);
            assertThat(smtp.rcptTo("friend@partner.test").code()).isEqualTo(250);
            assertThat(smtp.data(Mails.SENDER, users).code()).isEqualTo(250);
        }
        MailRepositoryProbeImpl repositories = RoutesJames.repositories(server);
        await().atMost(Duration.ofSeconds(30)).until(() -> hasSubject(repositories, RETRY, outsiders) && hasSubject(repositories, RETRY, users));

        // The admin removes both routes; the waiting mails are retried at once.
        Path routeFile = Path.of(webAdmin(server).get("/smtpRoutes").<String>path("tables[0].routeFile"));
        Files.writeString(routeFile, "<smtproutes/>");
        webAdmin(server).post("/smtpRoutes/reload").then().statusCode(200);
        webAdmin(server).post("/smtpRoutes/deliverNow").then().statusCode(200);

        // The user's mail relays as before; the outsider's is denied relay, never sent on.
        await().atMost(Duration.ofSeconds(60)).until(() -> !Mails.withSubject(STOCK_GATEWAY, users).isEmpty());
        await().atMost(Duration.ofSeconds(60)).until(() -> hasSubject(repositories, RELAY_DENIED, outsiders));
        assertThat(Mails.withSubject(STOCK_GATEWAY, outsiders)).isEmpty();
        assertThat(STOCK_GATEWAY.received()).noneMatch(mail -> mail.recipients().contains("user@company.test"));
        assertThat(hasSubject(repositories, RETRY, outsiders)).isFalse();
    }

    static RequestSpecification webAdmin(GuiceJamesServer server) {
        return given().baseUri("http://127.0.0.1").port(server.getProbe(WebAdminGuiceProbe.class).getWebAdminPort().getValue());
    }

    private static boolean hasSubject(MailRepositoryProbeImpl repositories, MailRepositoryUrl url, String subject) throws Exception {
        for (MailKey key : repositories.listMailKeys(url)) {
            Mail mail = repositories.getMail(url, key);
            if (mail != null && subject.equals(mail.getMessage().getSubject())) {
                return true;
            }
        }
        return false;
    }
}
