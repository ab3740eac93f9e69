package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Checks the route builder: normalised domains, the same validation as the parser, value semantics. */
class RouteTest {
    private static final RouteHost PRIMARY = RouteHost.of("192.168.1.10", 25, 0);
    private static final RouteHost BACKUP = RouteHost.of("backup.example.net", 25, 10);

    @Test
    void builderDefaults() {
        Route route = Route.builder("example.com").host(PRIMARY).build();

        assertThat(route.domain()).isEqualTo("example.com");
        assertThat(route.kind()).isEqualTo(RouteKind.HOSTS);
        assertThat(route.hosts()).containsExactly(PRIMARY);
        assertThat(route.possibleDelivery()).isFalse();
        assertThat(route.inbound()).isFalse();
        assertThat(route.tls()).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(route.allowPlainAuth()).isFalse();
        assertThat(route.auth()).isEmpty();
        assertThat(route.retry()).isEqualTo(RetryOverrides.none());
        assertThat(route.delayWarning()).isEmpty();
        assertThat(route.maxConnectionsPerHost()).isEmpty();
        assertThat(route.isDefault()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        "Example.COM, example.com",
        ".Example.Org, .example.org",
        "all, ALL",
        "All, ALL",
        "xn--bcher-kva.example, xn--bcher-kva.example"})
    void normalizesDomain(String written, String stored) {
        assertThat(Route.builder(written).host(PRIMARY).build().domain()).isEqualTo(stored);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "exa mple.com   | route 'exa mple.com': domain contains ' '; only letters, digits, '-' and '.' are allowed",
        "a..example.com | route 'a..example.com': domain has an empty label (two dots in a row or a leading dot)",
        "example.com.   | route 'example.com.': domain must not end with a dot",
        "*.example.com  | route '*.example.com': domain: wildcards are not supported; write '.example.com' to match all subdomains",
        ".              | route '.': domain suffix is empty",
        "..example.com  | route '..example.com': domain suffix has an empty label (two dots in a row or a leading dot)"})
    void refusesInvalidDomains(String domain, String message) {
        assertThatThrownBy(() -> Route.builder(domain).host(PRIMARY).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void refusesInboundOnAllRoute() {
        assertThatThrownBy(() -> Route.builder("ALL").host(PRIMARY).inbound(true).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("route 'ALL': inbound is not allowed on the ALL route: it would make James an open relay");
    }

    @Test
    void refusesHostsRouteWithoutHostsAndSpecialRoutesWithHosts() {
        assertThatThrownBy(() -> Route.builder("example.com").build())
            .hasMessage("route 'example.com': no hosts: a route needs at least one host, USEDNS or /dev/null");
        assertThatThrownBy(() -> Route.builder("example.com").kind(RouteKind.USEDNS).host(PRIMARY).build())
            .hasMessage("route 'example.com': a USEDNS route cannot also list hosts [192.168.1.10:25/pri=0]");
        assertThat(Route.builder("example.com").kind(RouteKind.DISCARD).build().hosts()).isEmpty();
    }

    @Test
    void refusesOutOfRangeOptions() {
        assertThatThrownBy(() -> Route.builder("example.com").host(PRIMARY).maxConnectionsPerHost(0).build())
            .hasMessage("route 'example.com': maxConnectionsPerHost must be 1..10000, got 0");
        assertThatThrownBy(() -> Route.builder("example.com").host(PRIMARY).delayWarning(Duration.ZERO).build())
            .hasMessage("route 'example.com': delayWarning must be positive, got PT0S");
    }

    @Test
    void hostsKeepTheirOrderAndCanBeReplaced() {
        Route route = Route.builder("example.com").host(BACKUP).host(PRIMARY).build();
        Route replaced = Route.builder("example.com").host(BACKUP).hosts(PRIMARY).build();

        assertThat(route.hosts()).containsExactly(BACKUP, PRIMARY);
        assertThat(replaced.hosts()).containsExactly(PRIMARY);
    }

    @Test
    void equalityIsByValue() {
        RouteAuth auth = RouteAuth.of("relayuser", "s3cret", "env RELAY_PW");
        Route one = Route.builder("Example.com").hosts(PRIMARY, BACKUP).tls(TlsMode.VERIFY).auth(auth).build();
        Route same = Route.builder("example.com").hosts(PRIMARY, BACKUP).tls(TlsMode.VERIFY).auth(auth).build();
        Route otherTls = Route.builder("example.com").hosts(PRIMARY, BACKUP).tls(TlsMode.REQUIRED).allowUnverifiedAuth(true).auth(auth).build();
        Route otherOrder = Route.builder("example.com").hosts(BACKUP, PRIMARY).tls(TlsMode.VERIFY).auth(auth).build();

        assertThat(one).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(otherTls).isNotEqualTo(otherOrder);
    }

    @Test
    void toStringIsReadableAndHidesThePassword() {
        Route route = Route.builder("example.com")
            .hosts(PRIMARY, BACKUP)
            .inbound(true)
            .tls(TlsMode.VERIFY)
            .auth(RouteAuth.of("relayuser", "s3cret-Pa55", "file /etc/james/relay.pw"))
            .retry(RetryOverrides.builder().maxAttempts(5).build())
            .delayWarning(Duration.ofHours(4))
            .maxConnectionsPerHost(20)
            .build();

        assertThat(route.toString())
            .doesNotContain("s3cret-Pa55")
            .isEqualTo("Route{domain=example.com, hosts=[192.168.1.10:25/pri=0, backup.example.net:25/pri=10], "
                + "possibleDelivery=false, inbound=true, tls=verify, allowPlainAuth=false, "
                + "auth=RouteAuth{user=relayuser, password=<redacted>, source=file /etc/james/relay.pw}, "
                + "retry=RetryOverrides{maxAttempts=5}, delayWarning=4h, maxConnectionsPerHost=20}");
    }

    @Test
    void authNeedsVerifiedTlsUnlessTheRouteOptsIn() {
        RouteAuth auth = RouteAuth.of("relayuser", "s3cret", "env RELAY_PW");
        assertThatThrownBy(() -> Route.builder("example.com").host(PRIMARY).tls(TlsMode.REQUIRED).auth(auth).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("route 'example.com': <auth> needs tls=\"verify\" (got tls=\"required\")");
        Route optedIn = Route.builder("example.com").host(PRIMARY).tls(TlsMode.REQUIRED).allowUnverifiedAuth(true).auth(auth).build();
        assertThat(optedIn.toString()).contains("allowUnverifiedAuth=true");
    }

    @Test
    void inboundNeedsADomainOfTheOrganisationsOwn() {
        assertThatThrownBy(() -> Route.builder(".uk").host(PRIMARY).inbound(true).build())
            .hasMessageContaining("single-label suffix '.uk'");
        assertThatThrownBy(() -> Route.builder("co.uk").host(PRIMARY).inbound(true).build())
            .hasMessageContaining("'co.uk' is a public suffix");
        assertThatThrownBy(() -> Route.builder("company.example").kind(RouteKind.USEDNS).inbound(true).build())
            .hasMessageContaining("inbound with USEDNS");
        assertThat(Route.builder(".company.co.uk").host(PRIMARY).inbound(true).build().inbound()).isTrue();
        assertThat(Route.builder("company.example").kind(RouteKind.USEDNS).inbound(true).allowInboundUsedns(true).build()
            .allowInboundUsedns()).isTrue();
        // Outbound-only routes may name any suffix: they relay only for trusted senders.
        assertThat(Route.builder(".com").host(PRIMARY).build().inbound()).isFalse();
    }

    @Test
    void tlsModeParsesKeywordsIgnoringCase() {
        assertThat(TlsMode.parse("none")).isEqualTo(TlsMode.NONE);
        assertThat(TlsMode.parse("Opportunistic")).isEqualTo(TlsMode.OPPORTUNISTIC);
        assertThat(TlsMode.parse("REQUIRED")).isEqualTo(TlsMode.REQUIRED);
        assertThat(TlsMode.parse("verify")).isEqualTo(TlsMode.VERIFY);
        assertThatThrownBy(() -> TlsMode.parse("starttls"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("must be one of none|opportunistic|required|verify, got 'starttls'");
    }
}
