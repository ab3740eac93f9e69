package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.it.MailLogCapture;
import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.smtp.ClientSettings;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/** The side probe against a real (scripted) SMTP server on 127.0.0.1. */
class HostProberTest {
    private final ScriptedSmtpServer server = ScriptedSmtpServer.start().withName("probed");
    private final HostFailures failures = new HostFailures(Clock.systemUTC());
    private final HostAdmission admission = new HostAdmission(failures);
    private final ConnectionPool pool = ConnectionPool.withDefaults(Clock.systemUTC());
    private final SmtpHostClient client = new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2)), pool);
    private final HostProber prober = new HostProber(client, failures, "test-probe");
    private final Route route = Route.builder("probed.test").hosts(RouteHost.of("127.0.0.1", server.port(), 0)).build();
    private final HostAddress host = new HostAddress("127.0.0.1", InetAddress.getLoopbackAddress(), server.port());
    private final MailLogCapture mailLog = MailLogCapture.attach();

    @AfterEach
    void close() {
        mailLog.detach();
        prober.close();
        pool.close();
        server.close();
    }

    @Test
    void aHostThatAnswersIsUpAndTheProbesSessionWaitsInThePoolForItsNextMail() {
        HostAdmission.Turn probe = failedOnceThenAdmittedAsProbe();

        prober.probe(host, route, "probed.test", probe);

        await().atMost(Duration.ofSeconds(10)).until(() -> failures.isProven(host.endpoint()));
        assertThat(failures.holding(host.endpoint(), route.domain())).isEmpty();
        assertThat(pool.stats().get(host.endpoint()).idle).isEqualTo(1);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.received()).isEmpty();
        assertThat(mailLog.linesContaining("New SMTP")).singleElement().asString()
            .endsWith("port " + server.port() + MailLog.PROBE_MARK);
        // The probe's turn is over: the host takes deliveries again without limit.
        assertThat(admission.admit(host.endpoint(), route.domain(), false).isAdmitted()).isTrue();
    }

    @Test
    void aHostThatStillFailsIsDownForTheNextLongerBackoff() {
        server.reply(SmtpPhase.CONNECT, "421 4.3.2 Still busy");
        HostAdmission.Turn probe = failedOnceThenAdmittedAsProbe();

        prober.probe(host, route, "probed.test", probe);

        await().atMost(Duration.ofSeconds(10)).until(() -> failures.holding(host.endpoint(), route.domain()).orElseThrow().consecutiveFailures == 2);
        assertThat(failures.holding(host.endpoint(), route.domain()).orElseThrow().reason).isEqualTo("421 4.3.2 Still busy");
        assertThat(failures.isDown(host.endpoint(), route.domain())).isTrue();
        // Not to be read as a failed delivery: the line says that no message was at stake.
        assertThat(mailLog.linesContaining("Connection Error")).singleElement().asString()
            .contains("details: 421 4.3.2 Still busy").endsWith(MailLog.PROBE_MARK);
        assertThat(pool.stats().getOrDefault(host.endpoint(), null)).satisfiesAnyOf(
            stats -> assertThat(stats).isNull(), stats -> assertThat(stats.idle).isZero());
        // Its probe turn was given back; the host is inside its new backoff: no mail, no probe.
        assertThat(admission.admit(host.endpoint(), route.domain(), false).kind()).isEqualTo(HostAdmission.Kind.DOWN);
    }

    @Test
    void aProbeThatCannotStartGivesItsTurnBackAtOnce() {
        HostAdmission.Turn probe = failedOnceThenAdmittedAsProbe();
        prober.close();

        prober.probe(host, route, "probed.test", probe);

        assertThat(admission.admit(host.endpoint(), route.domain(), false).isProbe()).as("the next delivery probes again").isTrue();
    }

    private HostAdmission.Turn failedOnceThenAdmittedAsProbe() {
        failures.configureBackoff(Duration.ofMillis(1), Duration.ofSeconds(30));
        failures.failed(host.endpoint(), "421 4.3.2 Busy");
        await().atMost(Duration.ofSeconds(5)).until(() -> !failures.isDown(host.endpoint(), route.domain()));
        failures.configureBackoff(Duration.ofSeconds(15), Duration.ofSeconds(30));
        HostAdmission.Turn probe = admission.admit(host.endpoint(), route.domain(), false);
        assertThat(probe.isProbe()).isTrue();
        // While the probe runs, nobody else is let through.
        assertThat(admission.admit(host.endpoint(), route.domain(), false).isAdmitted()).isFalse();
        return probe;
    }
}
