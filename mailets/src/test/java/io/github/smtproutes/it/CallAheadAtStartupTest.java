package io.github.smtproutes.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;

import org.apache.james.GuiceJamesServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipient verification misconfigured in the shipped conf stops James at start with one message
 * naming where the mistake is: a bad {@code <callAhead>} setting of the RCPT hook, or
 * {@code verifyRecipients} on a route that cannot be verified.
 */
class CallAheadAtStartupTest {
    @TempDir
    File workingDirectory;

    @Test
    void aBadCallAheadSettingStopsJamesNamingTheHookAndTheSetting() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .edit("smtpserver.xml", "<routes>file://conf/smtproutes.xml</routes>",
                "<routes>file://conf/smtproutes.xml</routes><callAhead><negativeTtl>ten minutes</negativeTtl></callAhead>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                .contains("InboundRouteRcptHook", "<callAhead><negativeTtl>", "ten minutes"));
        } finally {
            server.stop();
        }
    }

    @Test
    void verificationOnAnOutboundRouteStopsJamesNamingTheRoute() {
        GuiceJamesServer server = RoutesJames.fromRepoConf()
            .routes(() -> "<smtproutes><route domain='partner.test' verifyRecipients='callahead'><host>127.0.0.1:1</host></route></smtproutes>")
            .server(workingDirectory);
        try {
            assertThatThrownBy(server::start).satisfies(error -> assertThat(RoutesJames.causeMessages(error))
                .contains("smtproutes.xml", "route 'partner.test'", "verifyRecipients=\"callahead\" needs inbound=\"true\""));
        } finally {
            server.stop();
        }
    }
}
