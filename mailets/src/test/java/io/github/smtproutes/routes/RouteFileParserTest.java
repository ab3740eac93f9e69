package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks that route files are read whole with every form, and refused with one precise message otherwise. */
class RouteFileParserTest {
    private static final String SOURCE = "conf/smtproutes.xml";
    private static final Function<String, String> ENVIRONMENT = Map.of("RELAY_PW", "env-s3cret")::get;

    @TempDir
    Path confDirectory;

    @Test
    void readsTheDocumentedExample() throws Exception {
        Files.createDirectories(confDirectory.resolve("secrets"));
        Path passwordFile = confDirectory.resolve("secrets/relay.pw");
        Files.writeString(passwordFile, "file-s3cret\n");

        RouteTable table = parse(
            "<smtproutes>",
            "  <route domain='example.com' possibleDelivery='false' inbound='true' tls='verify'",
            "         maxConnectionsPerHost='20' delayWarning='4h' allowPlainAuth='false'>",
            "    <host priority='0'>192.168.1.10</host>",
            "    <host priority='0'>192.168.1.11:2525</host>",
            "    <host priority='10'>backup.example.net</host>",
            "    <retry initial='60s' max='1h' maxAttempts='100' maxAge='72h'/>  <!-- overrides -->",
            "    <auth user='relayuser' passwordFile='secrets/relay.pw'/>",
            "  </route>",
            "  <route domain='.example.org'><host>USEDNS</host></route>",
            "  <route domain='discard.example'><host>/dev/null</host></route>",
            "  <route domain='ALL'><host>smarthost.example.net:587</host></route>",
            "</smtproutes>");

        assertThat(table.source()).isEqualTo(SOURCE);
        assertThat(table.routes()).containsExactly(
            Route.builder("example.com")
                .hosts(RouteHost.of("192.168.1.10", 25, 0), RouteHost.of("192.168.1.11", 2525, 0),
                    RouteHost.of("backup.example.net", 25, 10))
                .inbound(true)
                .tls(TlsMode.VERIFY)
                .maxConnectionsPerHost(20)
                .delayWarning(Duration.ofHours(4))
                .retry(RetryOverrides.builder().initial(Duration.ofSeconds(60)).max(Duration.ofHours(1))
                    .maxAttempts(100).maxAge(Duration.ofHours(72)).build())
                .auth(RouteAuth.of("relayuser", "file-s3cret", "file " + passwordFile.toAbsolutePath().normalize()))
                .build(),
            Route.builder(".example.org").kind(RouteKind.USEDNS).build(),
            Route.builder("discard.example").kind(RouteKind.DISCARD).build(),
            Route.builder("ALL").host(RouteHost.of("smarthost.example.net", 587, 0)).build());
    }

    @Test
    void readsEveryHostForm() throws Exception {
        RouteTable table = parse(
            "<smtproutes><route domain='example.com'>",
            "  <host>MX1.Example.COM</host>",
            "  <host priority='5'>mx2.example.com:2525</host>",
            "  <host>10.0.0.1</host>",
            "  <host>10.0.0.2:26</host>",
            "  <host>::1</host>",
            "  <host>[2001:db8::1]</host>",
            "  <host priority='65535'>[2001:db8::2]:2525</host>",
            "</route></smtproutes>");

        assertThat(table.routes().get(0).hosts()).extracting(RouteHost::toString).containsExactly(
            "mx1.example.com:25/pri=0",
            "mx2.example.com:2525/pri=5",
            "10.0.0.1:25/pri=0",
            "10.0.0.2:26/pri=0",
            "[::1]:25/pri=0",
            "[2001:db8::1]:25/pri=0",
            "[2001:db8::2]:2525/pri=65535");
    }

    @Test
    void appliesDefaultsAndReadsEveryOption() throws Exception {
        RouteTable table = parse(
            "<smtproutes>",
            "  <route domain='Plain.Example'><host>mx.example.net</host></route>",
            "  <route domain='tuned.example' possibleDelivery='true' tls='verify' allowPlainAuth='true'",
            "         delayWarning='90m' maxConnectionsPerHost='10000'>",
            "    <host>mx.example.net</host><retry maxAttempts='3'/>",
            "  </route>",
            "</smtproutes>");

        Route plain = table.routes().get(0);
        assertThat(plain).isEqualTo(Route.builder("plain.example").host(RouteHost.of("mx.example.net", 25, 0)).build());
        assertThat(plain.tls()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(plain.retry().isEmpty()).isTrue();

        Route tuned = table.routes().get(1);
        assertThat(tuned.possibleDelivery()).isTrue();
        assertThat(tuned.tls()).isEqualTo(TlsMode.VERIFY);
        assertThat(tuned.allowPlainAuth()).isTrue();
        assertThat(tuned.delayWarning()).contains(Duration.ofMinutes(90));
        assertThat(tuned.maxConnectionsPerHost()).hasValue(10000);
        assertThat(tuned.retry()).isEqualTo(RetryOverrides.builder().maxAttempts(3).build());
    }

    @Test
    void theRiskyCombinationsLoadWhenTheAdminOptsIn() throws Exception {
        RouteTable table = parse(
            "<smtproutes>",
            "  <route domain='company.example' inbound='true' allowInboundUsedns='true'><host>USEDNS</host></route>",
            "  <route domain='.branch.company.example' inbound='true'><host>mx.company.example</host></route>",
            "  <route domain='relay.example' tls='required' allowUnverifiedAuth='true'><host>mx.example.net</host>",
            "    <auth user='u' passwordEnv='RELAY_PW'/></route>",
            "  <route domain='plain.example' tls='none' allowUnverifiedAuth='true' allowPlainAuth='true'>",
            "    <host>mx.example.net</host><auth user='u' passwordEnv='RELAY_PW'/></route>",
            "</smtproutes>");

        assertThat(table.routes()).extracting(Route::domain)
            .containsExactly("company.example", ".branch.company.example", "relay.example", "plain.example");
        assertThat(table.routes().get(0).allowInboundUsedns()).isTrue();
        assertThat(table.routes().get(2).allowUnverifiedAuth()).isTrue();
        assertThat(table.routes().get(3).allowPlainAuth()).isTrue();
        assertThat(table.routes().get(1).allowUnverifiedAuth()).isFalse();
        assertThat(table.routes().get(1).allowInboundUsedns()).isFalse();
    }

    @Test
    void emptyFileHasNoRoutes() throws Exception {
        assertThat(parse("<smtproutes/>").routes()).isEmpty();
        assertThat(parse("<?xml version='1.0'?>", "<!-- nothing yet -->", "<smtproutes>", "</smtproutes>").isEmpty())
            .isTrue();
    }

    @Test
    void readsPasswordFromInjectedEnvironment() throws Exception {
        RouteTable table = parse(
            "<smtproutes><route domain='example.com' tls='verify'><host>mx.example.net</host>",
            "<auth user='relayuser' passwordEnv='RELAY_PW'/></route></smtproutes>");

        RouteAuth auth = table.routes().get(0).auth().orElseThrow();
        assertThat(auth.user()).isEqualTo("relayuser");
        assertThat(auth.password()).isEqualTo("env-s3cret");
        assertThat(auth.passwordSource()).isEqualTo("env RELAY_PW");
    }

    @Test
    void passwordFileKeepsInnerSpacesAndLosesOnlyTrailingLineBreaks() throws Exception {
        Path passwordFile = confDirectory.resolve("abs.pw");
        Files.writeString(passwordFile, " pass word \r\n");

        RouteTable table = parse(
            "<smtproutes><route domain='example.com' tls='verify'><host>mx.example.net</host>",
            "<auth user='u' passwordFile='" + passwordFile.toAbsolutePath() + "'/></route></smtproutes>");

        RouteAuth auth = table.routes().get(0).auth().orElseThrow();
        assertThat(auth.password()).isEqualTo(" pass word ");
        assertThat(auth.passwordSource()).isEqualTo("file " + passwordFile.toAbsolutePath());
    }

    @Test
    void routeLookupWorksOnAParsedFile() throws Exception {
        RouteTable table = parse(
            "<smtproutes>",
            "  <route domain='ALL'><host>smarthost.example.net</host></route>",
            "  <route domain='.example.org'><host>USEDNS</host></route>",
            "  <route domain='Mail.Example.org'><host>/dev/null</host></route>",
            "</smtproutes>");

        assertThat(table.routeFor("mail.example.org").map(Route::kind)).contains(RouteKind.DISCARD);
        assertThat(table.routeFor("www.example.org").map(Route::kind)).contains(RouteKind.USEDNS);
        assertThat(table.routeFor("example.org").map(Route::domain)).contains("ALL");
    }

    static Stream<Arguments> badFiles() {
        return Stream.of(
            bad("malformed XML",
                "<smtproutes><route domain='a.com'></smtproutes>",
                "conf/smtproutes.xml: malformed XML at line 1, column 37: The element type \"route\" must be terminated "
                    + "by the matching end-tag \"</route>\"."),
            bad("not XML at all",
                "domain=a.com host=10.0.0.1",
                "conf/smtproutes.xml: malformed XML at line 1, column 1: Content is not allowed in prolog."),
            bad("DOCTYPE",
                "<!DOCTYPE smtproutes [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><smtproutes/>",
                "conf/smtproutes.xml: malformed XML at line 1, column 10: DOCTYPE is disallowed when the feature "
                    + "\"http://apache.org/xml/features/disallow-doctype-decl\" set to true."),
            bad("wrong root element",
                "<routes><route domain='a.com'><host>h</host></route></routes>",
                "conf/smtproutes.xml: root element must be <smtproutes>, found <routes>"),
            bad("attribute on root",
                "<smtproutes version='1'/>",
                "conf/smtproutes.xml: unknown attribute 'version' (<smtproutes> takes no attributes)"),
            bad("text in root",
                "<smtproutes>example.com</smtproutes>",
                "conf/smtproutes.xml: unexpected text 'example.com' in <smtproutes>"),
            bad("unknown element in root",
                "<smtproutes><rout domain='a.com'/></smtproutes>",
                "conf/smtproutes.xml: unknown element <rout> inside <smtproutes> (allowed: <route>)"),
            bad("unknown element in route",
                routes("<route domain='a.com'><host>h</host><hots>x</hots></route>"),
                "conf/smtproutes.xml: route 'a.com': unknown element <hots> (allowed: <host>, <retry>, <auth>)"),
            bad("element inside host",
                routes("<route domain='a.com'><host>h<port>25</port></host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h': unknown element <port> inside <host>"),
            bad("element inside retry",
                routes("<route domain='a.com'><host>h</host><retry><max>1h</max></retry></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: unknown element <max> inside <retry>"),
            bad("text in route",
                routes("<route domain='a.com'>oops<host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': unexpected text 'oops' in <route>"),
            bad("unknown attribute on route",
                routes("<route domain='a.com' tlsMode='none'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': unknown attribute 'tlsMode' (allowed: domain, possibleDelivery, "
                    + "inbound, tls, allowPlainAuth, allowUnverifiedAuth, allowInboundUsedns, maxConnectionsPerHost, "
                    + "delayWarning, verifyRecipients, onVerifyFailure)"),
            bad("unknown attribute on host",
                routes("<route domain='a.com'><host weight='2'>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h': unknown attribute 'weight' (allowed: priority)"),
            bad("unknown attribute on retry",
                routes("<route domain='a.com'><host>h</host><retry maxDelay='1h'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: unknown attribute 'maxDelay' "
                    + "(allowed: initial, max, maxAttempts, maxAge)"),
            bad("unknown attribute on auth",
                routes("<route domain='a.com'><host>h</host><auth user='u' password='p'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth>: unknown attribute 'password' "
                    + "(allowed: user, passwordFile, passwordEnv)"),
            bad("route without domain, numbered",
                routes("<route domain='a.com'><host>h</host></route>", "<route><host>h</host></route>"),
                "conf/smtproutes.xml: route #2: missing required attribute 'domain'"),
            bad("empty domain",
                routes("<route domain=' '><host>h</host></route>"),
                "conf/smtproutes.xml: route #1: attribute 'domain': is empty"),
            bad("domain with a space",
                routes("<route domain='exa mple.com'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'exa mple.com': domain contains ' '; only letters, digits, '-' and '.' "
                    + "are allowed"),
            bad("domain with an empty label",
                routes("<route domain='a..com'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a..com': domain has an empty label (two dots in a row or a leading dot)"),
            bad("domain with a trailing dot",
                routes("<route domain='a.com.'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com.': domain must not end with a dot"),
            bad("wildcard domain",
                routes("<route domain='*.a.com'><host>h</host></route>"),
                "conf/smtproutes.xml: route '*.a.com': domain: wildcards are not supported; write '.a.com' to match "
                    + "all subdomains"),
            bad("route without hosts",
                routes("<route domain='a.com'><retry maxAttempts='3'/></route>"),
                "conf/smtproutes.xml: route 'a.com': no <host>: a route needs at least one host, USEDNS or /dev/null"),
            bad("duplicate domains ignoring case",
                routes("<route domain='A.com'><host>h</host></route>", "<route domain='ALL'><host>h</host></route>",
                    "<route domain='a.COM'><host>h2</host></route>"),
                "conf/smtproutes.xml: route 'a.com' is defined twice (routes #1 and #3; domains are case-insensitive)"),
            bad("duplicate ALL",
                routes("<route domain='ALL'><host>h</host></route>", "<route domain='all'><host>h2</host></route>"),
                "conf/smtproutes.xml: route 'ALL' is defined twice (routes #1 and #2; domains are case-insensitive)"),
            bad("port too large",
                routes("<route domain='example.com'><host>10.0.0.1:99999</host></route>"),
                "conf/smtproutes.xml: route 'example.com': host '10.0.0.1:99999': port must be 1..65535"),
            bad("port zero",
                routes("<route domain='a.com'><host>[::1]:0</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host '[::1]:0': port must be 1..65535"),
            bad("port not a number",
                routes("<route domain='a.com'><host>h:smtp</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h:smtp': port 'smtp' is not a number"),
            bad("invalid IPv4 literal",
                routes("<route domain='a.com'><host>10.0.0.256</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host '10.0.0.256': not a valid IPv4 address"),
            bad("invalid host name",
                routes("<route domain='a.com'><host>smart host</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'smart host': host name contains ' '; only letters, digits, "
                    + "'-' and '.' are allowed"),
            bad("priority not a number",
                routes("<route domain='a.com'><host priority='high'>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h': attribute 'priority': must be a whole number 0..65535, "
                    + "got 'high'"),
            bad("negative priority",
                routes("<route domain='a.com'><host priority='-1'>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h': attribute 'priority': must be 0..65535, got '-1'"),
            bad("priority too large",
                routes("<route domain='a.com'><host priority='65536'>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'h': attribute 'priority': must be 0..65535, got '65536'"),
            bad("empty host",
                routes("<route domain='a.com'><host>h</host><host>  </host></route>"),
                "conf/smtproutes.xml: route 'a.com': empty <host>: write a host name, IP address, USEDNS or /dev/null"),
            bad("self-closing host",
                routes("<route domain='a.com'><host/></route>"),
                "conf/smtproutes.xml: route 'a.com': empty <host>: write a host name, IP address, USEDNS or /dev/null"),
            bad("USEDNS mixed with a host",
                routes("<route domain='a.com'><host>h</host><host>usedns</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'usedns': USEDNS must be the route's only host; "
                    + "it cannot be mixed with other hosts"),
            bad("/dev/null mixed with a host",
                routes("<route domain='a.com'><host>/dev/null</host><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host '/dev/null': /dev/null must be the route's only host; "
                    + "it cannot be mixed with other hosts"),
            bad("USEDNS with a priority",
                routes("<route domain='a.com'><host priority='0'>USEDNS</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'USEDNS': attribute 'priority' is not allowed on USEDNS"),
            bad("/dev/null with a priority",
                routes("<route domain='a.com'><host priority='1'>/dev/null</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host '/dev/null': attribute 'priority' is not allowed on /dev/null"),
            bad("USEDNS with a port",
                routes("<route domain='a.com'><host>USEDNS:25</host></route>"),
                "conf/smtproutes.xml: route 'a.com': host 'USEDNS:25': a port is not allowed on USEDNS"),
            bad("two retry elements",
                routes("<route domain='a.com'><host>h</host><retry/><retry maxAttempts='3'/></route>"),
                "conf/smtproutes.xml: route 'a.com': more than one <retry>"),
            bad("two auth elements",
                routes("<route domain='a.com'><host>h</host><auth user='u' passwordEnv='RELAY_PW'/>"
                    + "<auth user='v' passwordEnv='RELAY_PW'/></route>"),
                "conf/smtproutes.xml: route 'a.com': more than one <auth>"),
            bad("boolean yes",
                routes("<route domain='a.com' possibleDelivery='yes'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'possibleDelivery': must be true or false, got 'yes'"),
            bad("boolean in capitals",
                routes("<route domain='a.com' allowPlainAuth='TRUE'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'allowPlainAuth': must be true or false, got 'TRUE'"),
            bad("bad tls",
                routes("<route domain='a.com' tls='starttls'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'tls': must be one of none|opportunistic|required|verify,"
                    + " got 'starttls'"),
            bad("inbound on ALL",
                routes("<route domain='all' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'all': inbound is not allowed on the ALL route: it would make James an "
                    + "open relay"),
            bad("inbound on a top-level domain suffix",
                routes("<route domain='.com' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route '.com': inbound is not allowed on the single-label suffix '.com': it would "
                    + "relay mail from anyone to every domain under it; name your own domain"),
            bad("inbound on a single-label private suffix",
                routes("<route domain='.lan' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route '.lan': inbound is not allowed on the single-label suffix '.lan': it would "
                    + "relay mail from anyone to every domain under it; name your own domain"),
            bad("inbound on a top-level domain",
                routes("<route domain='com' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'com': inbound is not allowed on 'com': 'com' is a public suffix, so it "
                    + "would relay mail from anyone to domains other people own; name your own domain"),
            bad("inbound on a two-label public suffix",
                routes("<route domain='.co.uk' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route '.co.uk': inbound is not allowed on '.co.uk': 'co.uk' is a public suffix, "
                    + "so it would relay mail from anyone to domains other people own; name your own domain"),
            bad("inbound on a private public suffix",
                routes("<route domain='.github.io' inbound='true'><host>h</host></route>"),
                "conf/smtproutes.xml: route '.github.io': inbound is not allowed on '.github.io': 'github.io' is a "
                    + "public suffix, so it would relay mail from anyone to domains other people own; name your own domain"),
            bad("inbound with USEDNS",
                routes("<route domain='company.example' inbound='true'><host>USEDNS</host></route>"),
                "conf/smtproutes.xml: route 'company.example': inbound with USEDNS relays mail from anyone to whatever "
                    + "MX the domain's DNS names (a delegated subdomain can point it anywhere); list the inside hosts, "
                    + "or set allowInboundUsedns=\"true\" if that is what you want"),
            bad("auth without verified TLS",
                routes("<route domain='a.com' tls='required'><host>h</host><auth user='u' passwordEnv='RELAY_PW'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth> needs tls=\"verify\" (got tls=\"required\"): without a "
                    + "verified certificate the password can go to a man-in-the-middle; set allowUnverifiedAuth=\"true\" "
                    + "to accept that risk"),
            bad("auth with the default TLS",
                routes("<route domain='a.com' allowPlainAuth='true'><host>h</host><auth user='u' passwordEnv='RELAY_PW'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth> needs tls=\"verify\" (got tls=\"opportunistic\"): without "
                    + "a verified certificate the password can go to a man-in-the-middle; set allowUnverifiedAuth=\"true\" "
                    + "to accept that risk"),
            bad("maxConnectionsPerHost zero",
                routes("<route domain='a.com' maxConnectionsPerHost='0'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'maxConnectionsPerHost': must be 1..10000, got '0'"),
            bad("maxConnectionsPerHost too large",
                routes("<route domain='a.com' maxConnectionsPerHost='10001'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'maxConnectionsPerHost': must be 1..10000, got '10001'"),
            bad("delayWarning without unit",
                routes("<route domain='a.com' delayWarning='4'><host>h</host></route>"),
                "conf/smtproutes.xml: route 'a.com': attribute 'delayWarning': duration '4' has no unit: write e.g. "
                    + "'4s' or '4m' (units: ms, s, m, h, d)"),
            bad("retry duration malformed",
                routes("<route domain='a.com'><host>h</host><retry initial='1 minute'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: attribute 'initial': invalid duration '1 minute': "
                    + "expected a positive whole number followed by ms, s, m, h or d, e.g. '60s'"),
            bad("retry initial above max",
                routes("<route domain='a.com'><host>h</host><retry initial='2h' max='30m'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: initial 2h is greater than max 30m"),
            bad("retry maxAttempts zero",
                routes("<route domain='a.com'><host>h</host><retry maxAttempts='0'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: attribute 'maxAttempts': must be 1..100000, got '0'"),
            bad("retry maxAge zero",
                routes("<route domain='a.com'><host>h</host><retry maxAge='0d'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <retry>: attribute 'maxAge': duration '0d' must be positive"),
            bad("auth without user",
                routes("<route domain='a.com'><host>h</host><auth passwordEnv='RELAY_PW'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth>: missing required attribute 'user'"),
            bad("auth with file and env",
                routes("<route domain='a.com'><host>h</host><auth user='u' passwordEnv='RELAY_PW' passwordFile='p'/>"
                    + "</route>"),
                "conf/smtproutes.xml: route 'a.com': <auth>: give exactly one of passwordFile or passwordEnv, not both"),
            bad("auth without password",
                routes("<route domain='a.com'><host>h</host><auth user='u'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth>: give exactly one of passwordFile or passwordEnv"),
            bad("auth env variable unset",
                routes("<route domain='a.com'><host>h</host><auth user='u' passwordEnv='NO_SUCH_VAR'/></route>"),
                "conf/smtproutes.xml: route 'a.com': <auth>: environment variable 'NO_SUCH_VAR' is not set"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badFiles")
    void refusesBadFileWithOneMessageNamingFileAndPlace(String description, String xml, String message) {
        assertThatThrownBy(() -> parse(xml))
            .isInstanceOf(RouteFileException.class)
            .hasMessage(message);
    }

    @Test
    void missingPasswordFileIsNamedByItsResolvedPath() {
        Path expected = confDirectory.resolve("secrets/missing.pw").toAbsolutePath().normalize();

        assertThatThrownBy(() -> parse(routes(
            "<route domain='a.com'><host>h</host><auth user='u' passwordFile='secrets/../secrets/missing.pw'/></route>")))
            .isInstanceOf(RouteFileException.class)
            .hasMessage("conf/smtproutes.xml: route 'a.com': <auth>: password file '" + expected + "' does not exist");
    }

    @Test
    void unreadablePasswordFileMessageNeverShowsTheContent() throws IOException {
        Path notUtf8 = confDirectory.resolve("latin1.pw");
        Files.write(notUtf8, "s3cret-\u00e9t\u00e9".getBytes(StandardCharsets.ISO_8859_1));
        Path directory = Files.createDirectory(confDirectory.resolve("dir.pw"));

        assertThatThrownBy(() -> parse(routes(
            "<route domain='a.com'><host>h</host><auth user='u' passwordFile='latin1.pw'/></route>")))
            .hasMessage("conf/smtproutes.xml: route 'a.com': <auth>: password file '" + notUtf8 + "' is not valid UTF-8")
            .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> parse(routes(
            "<route domain='a.com'><host>h</host><auth user='u' passwordFile='dir.pw'/></route>")))
            .hasMessage("conf/smtproutes.xml: route 'a.com': <auth>: password file '" + directory
                + "' cannot be read (IOException)");
    }

    @Test
    void emptyPasswordFileIsRefused() throws IOException {
        Path empty = Files.writeString(confDirectory.resolve("empty.pw"), "\n");

        assertThatThrownBy(() -> parse(routes(
            "<route domain='a.com'><host>h</host><auth user='u' passwordFile='empty.pw'/></route>")))
            .hasMessage("conf/smtproutes.xml: route 'a.com': <auth>: password file '" + empty + "' is empty");
    }

    @Test
    void relativePasswordFileNeedsABaseDirectory() {
        String xml = routes("<route domain='a.com'><host>h</host><auth user='u' passwordFile='relay.pw'/></route>");

        assertThatThrownBy(() -> new RouteFileParser(ENVIRONMENT).parse(stream(xml), "inline", null))
            .isInstanceOf(RouteFileException.class)
            .hasMessage("inline: route 'a.com': <auth>: passwordFile 'relay.pw' is relative but the route file has no "
                + "directory to resolve it against");
    }

    @Test
    void defaultConstructorReadsTheProcessEnvironment() throws Exception {
        Optional<Map.Entry<String, String>> anyVariable = System.getenv().entrySet().stream()
            .filter(entry -> !entry.getValue().isEmpty() && entry.getKey().matches("[A-Za-z_][A-Za-z0-9_]*"))
            .findFirst();
        assumeTrue(anyVariable.isPresent(), "the process environment has no variable to read");
        Map.Entry<String, String> variable = anyVariable.get();
        String xml = routes("<route domain='a.com' tls='verify'><host>h</host><auth user='u' passwordEnv='" + variable.getKey()
            + "'/></route>");

        RouteTable table = new RouteFileParser().parse(stream(xml), SOURCE, confDirectory);

        assertThat(table.routes().get(0).auth().orElseThrow().password()).isEqualTo(variable.getValue());
    }

    private RouteTable parse(String... lines) throws RouteFileException {
        return new RouteFileParser(ENVIRONMENT).parse(stream(String.join("\n", lines)), SOURCE, confDirectory);
    }

    private static ByteArrayInputStream stream(String xml) {
        return new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8));
    }

    private static String routes(String... routes) {
        return "<smtproutes>\n" + String.join("\n", routes) + "\n</smtproutes>";
    }

    private static Arguments bad(String description, String xml, String message) {
        return Arguments.of(description, xml, message);
    }
}
