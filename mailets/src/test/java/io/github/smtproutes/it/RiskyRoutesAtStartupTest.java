package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A route file that would open the gateway to the internet stops James at start, booted from the
 * shipped conf with 127.0.0.1 an outsider: an inbound route on a top-level domain (an open relay
 * for all of it), an inbound USEDNS route (relay to whatever MX DNS names) without its opt-in, and
 * AUTH credentials toward hosts whose certificate is not verified (a man-in-the-middle reads them)
 * without its opt-in. The message names the file, the route and what to do.
 */
class RiskyRoutesAtStartupTest {
    @TempDir
    File workingDirectory;

    @Test
    void anInboundRouteOnATopLevelDomainIsRefused() {
        assertThat(startupFailure("<route domain='.com' inbound='true'><host>USEDNS</host></route>"))
            .contains("smtproutes.xml", "route '.com'", "inbound is not allowed on the single-label suffix '.com'");
    }

    @Test
    void anInboundUsednsRouteIsRefusedWithoutItsOptIn() {
        assertThat(startupFailure("<route domain='company.test' inbound='true'><host>USEDNS</host></route>"))
            .contains("smtproutes.xml", "route 'company.test'", "inbound with USEDNS", "allowInboundUsedns=\"true\"");
    }

    @Test
    void authTowardHostsWhoseCertificateIsNotVerifiedIsRefusedWithoutItsOptIn() {
        assertThat(startupFailure("<route domain='partner.test' tls='required'><host>127.0.0.1:2525</host>"
                + "<auth user='relay' passwordEnv='PATH'/></route>"))
            .contains("smtproutes.xml", "route 'partner.test'", "<auth> needs tls=\"verify\"", "allowUnverifiedAuth=\"true\"");
    }

    private String startupFailure(String route) {
        GuiceJamesServer server = OutsiderJames.fromRepoConf()
            .routes(() -> "<smtproutes>" + route + "</smtproutes>")
            .server(workingDirectory);
        try {
            StringBuilder messages = new StringBuilder();
            assertThatThrownBy(server::start).satisfies(error -> messages.append(RoutesJames.causeMessages(error)));
            return messages.toString();
        } finally {
            server.stop();
        }
    }
}
