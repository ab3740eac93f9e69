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
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/** The side probe against a real (scripted) SMTP server on 127.0.0.1. */
class HostProberTest {
    private final ScriptedSmtpServer server = ScriptedSmtpServer.start().withName("probed");
    private final HostHealth health = new HostHealth(Clock.systemUTC());
    private final ConnectionPool pool = ConnectionPool.withDefaults(Clock.systemUTC());
    private final HostProber prober = new HostProber(
        new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2)), pool),
        health, "test-probe");
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
        HostHealth.Attempt probe = failedOnceThenAdmittedAsProbe();

        prober.probe(host, route, "probed.test", probe);

        await().atMost(Duration.ofSeconds(10)).until(() -> !health.snapshot().get(host.endpoint()).down
            && health.snapshot().get(host.endpoint()).consecutiveFailures == 0);
        assertThat(pool.stats().get(host.endpoint()).idle).isEqualTo(1);
        assertThat(server.connectionCount()).isEqualTo(1);
        assertThat(server.received()).isEmpty();
        assertThat(mailLog.linesContaining("New SMTP")).singleElement().asString()
            .endsWith("port " + server.port() + MailLog.PROBE_MARK);
        // The probe's turn is over: the host takes deliveries again without limit.
        assertThat(health.admit(host.endpoint())).hasValueSatisfying(attempt -> assertThat(attempt.isProbe()).isFalse());
    }

    @Test
    void aHostThatStillFailsIsDownForTheNextLongerBackoff() {
        server.reply(SmtpPhase.CONNECT, "421 4.3.2 Still busy");
        HostHealth.Attempt probe = failedOnceThenAdmittedAsProbe();

        prober.probe(host, route, "probed.test", probe);

        await().atMost(Duration.ofSeconds(10)).until(() -> health.snapshot().get(host.endpoint()).consecutiveFailures == 2);
        assertThat(health.snapshot().get(host.endpoint()).lastError).isEqualTo("421 4.3.2 Still busy");
        assertThat(health.isDown(host.endpoint())).isTrue();
        // Not to be read as a failed delivery: the line says that no message was at stake.
        assertThat(mailLog.linesContaining("Connection Error")).singleElement().asString()
            .contains("details: 421 4.3.2 Still busy").endsWith(MailLog.PROBE_MARK);
        assertThat(pool.stats().getOrDefault(host.endpoint(), null)).satisfiesAnyOf(
            stats -> assertThat(stats).isNull(), stats -> assertThat(stats.idle).isZero());
        // Its probe turn was given back: the next delivery may probe it again.
        assertThat(health.admit(host.endpoint())).hasValueSatisfying(attempt -> assertThat(attempt.isProbe()).isTrue());
    }

    private HostHealth.Attempt failedOnceThenAdmittedAsProbe() {
        health.recordHostFailure(host.endpoint(), "421 4.3.2 Busy");
        HostHealth.Attempt probe = health.admit(host.endpoint()).orElseThrow();
        assertThat(probe.isProbe()).isTrue();
        // While the probe runs, nobody else is let through.
        assertThat(health.admit(host.endpoint())).isEmpty();
        return probe;
    }
}
