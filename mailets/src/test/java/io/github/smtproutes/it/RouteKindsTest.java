package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.apache.james.GuiceJamesServer;
import org.apache.james.JamesServerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.smtproutes.testing.ScriptedDnsServer;
import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * USEDNS and /dev/null routes, domain precedence and unrouted recipients in a real James. MX
 * delivery always uses port 25, so the MX host listens on 127.0.0.2:25 (still loopback), and
 * the MX records come from a scripted DNS server on 127.0.0.1 ({@code dnsServers}).
 */
class RouteKindsTest {
    static final ScriptedSmtpServer MX = ScriptedSmtpServer.start("127.0.0.2", 25).withName("mx");
    static final ScriptedSmtpServer EXACT = ScriptedSmtpServer.start().withName("exact");
    static final ScriptedSmtpServer SUFFIX = ScriptedSmtpServer.start().withName("suffix");
    static final ScriptedSmtpServer DEFAULT = ScriptedSmtpServer.start().withName("default");
    static final MailLogCapture MAIL_LOG = MailLogCapture.attach();
    static final ScriptedDnsServer DNS = ScriptedDnsServer.start()
        .mx("a.mx.test", 10, "mail.mx.test")
        .a("mail.mx.test", "127.0.0.2");

    @RegisterExtension
    static JamesServerExtension james = RoutesJames.fromRepoConf()
        .mailetParameter("dnsServers", DNS.address())
        .routes(() -> "<smtproutes>"
            + "<route domain='.mx.test'><host>USEDNS</host></route>"
            + "<route domain='discard.test'><host>/dev/null</host></route>"
            + "<route domain='ALL'><host>" + DEFAULT.address() + "</host></route>"
            + "<route domain='.corp.test'><host>" + SUFFIX.address() + "</host></route>"
            + "<route domain='exact.corp.test'><host>" + EXACT.address() + "</host></route>"
            + "</smtproutes>")
        .extension(JamesServerExtension.Lifecycle.PER_CLASS);

    @AfterAll
    static void stopHosts() {
        MAIL_LOG.detach();
        List.of(MX, EXACT, SUFFIX, DEFAULT).forEach(ScriptedSmtpServer::close);
        DNS.close();
    }

    @Test
    void usednsDeliversToTheDomainsMxHost(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "mx", "user@a.mx.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(MX, subject) == 1);
    }

    @Test
    void devNullAcceptsAndDropsTheMailAndLogsIt(GuiceJamesServer server) {
        Mails.send(RoutesJames.smtpPort(server), "discard", "user@discard.test");

        await().atMost(Duration.ofSeconds(30))
            .until(() -> !MAIL_LOG.linesContaining("dropped by /dev/null route").isEmpty());
        assertThat(MAIL_LOG.linesContaining("dropped by /dev/null route")).anySatisfy(line -> assertThat(line).contains("discard.test"));
        assertThat(DEFAULT.received()).noneMatch(mail -> mail.recipients().contains("user@discard.test"));
    }

    @Test
    void theMostSpecificRouteWinsWhateverTheOrder(GuiceJamesServer server) {
        int port = RoutesJames.smtpPort(server);
        String exact = Mails.send(port, "exact", "user@exact.corp.test");
        String suffix = Mails.send(port, "suffix", "user@other.corp.test");
        String fallback = Mails.send(port, "fallback", "user@elsewhere.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(EXACT, exact) == 1
            && SeedScenarioTest.countWithSubject(SUFFIX, suffix) == 1
            && SeedScenarioTest.countWithSubject(DEFAULT, fallback) == 1);
        assertThat(SeedScenarioTest.countWithSubject(SUFFIX, exact)).isZero();
        assertThat(SeedScenarioTest.countWithSubject(DEFAULT, suffix)).isZero();
    }

    @Test
    void recipientsOfOneMailAreSplitByRoute(GuiceJamesServer server) {
        String subject = Mails.send(RoutesJames.smtpPort(server), "split", "one@exact.corp.test", "two@other.corp.test");

        await().atMost(Duration.ofSeconds(30)).until(() -> SeedScenarioTest.countWithSubject(EXACT, subject) == 1
            && SeedScenarioTest.countWithSubject(SUFFIX, subject) == 1);
        assertThat(EXACT.received()).filteredOn(mail -> mail.header("Subject").orElse("").equals(subject))
            .singleElement().satisfies(mail -> assertThat(mail.recipients()).containsExactly("one@exact.corp.test"));
    }
}
