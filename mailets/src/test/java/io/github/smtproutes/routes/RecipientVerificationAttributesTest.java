package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The route attributes of recipient verification: {@code verifyRecipients} and
 * {@code onVerifyFailure}, their defaults, and the routes they are refused on, each with a message
 * naming the file, the route and the attribute.
 */
class RecipientVerificationAttributesTest {
    private static final String SOURCE = "conf/smtproutes.xml";

    @TempDir
    Path confDirectory;

    @Test
    void verificationIsOffByDefaultAndTempfailsWhenOn() throws Exception {
        RouteTable table = parse("<route domain='plain.test' inbound='true'><host>10.0.0.1</host></route>"
            + "<route domain='verified.test' inbound='true' verifyRecipients='callahead'><host>10.0.0.2</host></route>");

        Route plain = table.routes().get(0);
        Route verified = table.routes().get(1);
        assertThat(plain.verifyRecipients()).isEqualTo(RecipientVerification.OFF);
        assertThat(verified.verifyRecipients()).isEqualTo(RecipientVerification.CALLAHEAD);
        assertThat(verified.onVerifyFailure()).isEqualTo(VerifyFailureAction.TEMPFAIL);
        assertThat(verified.toString()).contains("verifyRecipients=callahead", "onVerifyFailure=tempfail");
        assertThat(verified).isNotEqualTo(Route.builder("verified.test").inbound(true).host(RouteHost.of("10.0.0.2", 25, 0)).build());
    }

    @Test
    void readsBothAttributesInAnyCase() throws Exception {
        Route route = parse("<route domain='.company.test' inbound='true' verifyRecipients='CallAhead' onVerifyFailure='ACCEPT'>"
            + "<host>10.0.0.1</host><host priority='10'>10.0.0.2</host></route>").routes().get(0);

        assertThat(route.verifyRecipients()).isEqualTo(RecipientVerification.CALLAHEAD);
        assertThat(route.onVerifyFailure()).isEqualTo(VerifyFailureAction.ACCEPT);
        assertThat(route).isEqualTo(Route.builder(".company.test").inbound(true)
            .hosts(RouteHost.of("10.0.0.1", 25, 0), RouteHost.of("10.0.0.2", 25, 10))
            .verifyRecipients(RecipientVerification.CALLAHEAD).onVerifyFailure(VerifyFailureAction.ACCEPT).build());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not inbound | <route domain='out.test' verifyRecipients='callahead'><host>10.0.0.1</host></route>"
            + " | route 'out.test': verifyRecipients=\"callahead\" needs inbound=\"true\"",
        "USEDNS | <route domain='dns.test' inbound='true' allowInboundUsedns='true' verifyRecipients='callahead'><host>USEDNS</host></route>"
            + " | route 'dns.test': verifyRecipients=\"callahead\" needs the route's own hosts to ask; a USEDNS route has none",
        "/dev/null | <route domain='drop.test' inbound='true' verifyRecipients='callahead'><host>/dev/null</host></route>"
            + " | route 'drop.test': verifyRecipients=\"callahead\" needs the route's own hosts to ask; a /dev/null route has none",
        "onVerifyFailure alone | <route domain='in.test' inbound='true' onVerifyFailure='accept'><host>10.0.0.1</host></route>"
            + " | route 'in.test': onVerifyFailure needs verifyRecipients=\"callahead\" on the same route",
        "unknown mode | <route domain='in.test' inbound='true' verifyRecipients='ldap'><host>10.0.0.1</host></route>"
            + " | route 'in.test': attribute 'verifyRecipients': must be one of off|callahead, got 'ldap'",
        "unknown action | <route domain='in.test' inbound='true' verifyRecipients='callahead' onVerifyFailure='reject'><host>10.0.0.1</host></route>"
            + " | route 'in.test': attribute 'onVerifyFailure': must be one of tempfail|accept, got 'reject'",
    })
    void refusesVerificationWhereItCannotWork(String description, String route, String message) {
        assertThatThrownBy(() -> parse(route))
            .isInstanceOf(RouteFileException.class)
            .hasMessageStartingWith(SOURCE)
            .hasMessageContaining(message);
    }

    private RouteTable parse(String routes) throws RouteFileException {
        String xml = "<smtproutes>" + routes + "</smtproutes>";
        return new RouteFileParser(name -> null)
            .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)), SOURCE, confDirectory);
    }
}
