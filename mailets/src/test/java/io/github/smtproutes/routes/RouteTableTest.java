package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Checks route lookup precedence (exact, longest suffix, ALL) and duplicate detection. */
class RouteTableTest {
    private static final Route ALL = route("ALL", "smarthost.example.net");
    private static final Route ORG_SUBDOMAINS = route(".example.org", "org-relay.example.net");
    private static final Route DEEP_SUBDOMAINS = route(".eu.example.org", "eu-relay.example.net");
    private static final Route EXACT = route("mail.eu.example.org", "exact-relay.example.net");

    @Test
    void exactBeatsSuffixBeatsAllWhateverTheOrder() {
        RouteTable allFirst = RouteTable.of("test", List.of(ALL, ORG_SUBDOMAINS, DEEP_SUBDOMAINS, EXACT));
        RouteTable exactFirst = RouteTable.of("test", List.of(EXACT, DEEP_SUBDOMAINS, ORG_SUBDOMAINS, ALL));

        for (RouteTable table : List.of(allFirst, exactFirst)) {
            assertThat(table.routeFor("mail.eu.example.org")).contains(EXACT);
            assertThat(table.routeFor("other.eu.example.org")).contains(DEEP_SUBDOMAINS);
            assertThat(table.routeFor("x.y.eu.example.org")).contains(DEEP_SUBDOMAINS);
            assertThat(table.routeFor("us.example.org")).contains(ORG_SUBDOMAINS);
            assertThat(table.routeFor("example.com")).contains(ALL);
        }
    }

    @Test
    void longestMatchingSuffixWins() {
        RouteTable table = RouteTable.of("test", List.of(ORG_SUBDOMAINS, DEEP_SUBDOMAINS));

        assertThat(table.routeFor("a.eu.example.org")).contains(DEEP_SUBDOMAINS);
        assertThat(table.routeFor("a.us.example.org")).contains(ORG_SUBDOMAINS);
    }

    @Test
    void suffixDoesNotMatchTheDomainItself() {
        RouteTable table = RouteTable.of("test", List.of(ORG_SUBDOMAINS));

        assertThat(table.routeFor("example.org")).isEmpty();
        assertThat(table.routeFor("notexample.org")).isEmpty();
        assertThat(table.routeFor("eu.example.org")).contains(ORG_SUBDOMAINS);
    }

    @Test
    void exactRouteDoesNotMatchSubdomains() {
        Route exact = route("example.com", "relay.example.net");
        RouteTable table = RouteTable.of("test", List.of(exact));

        assertThat(table.routeFor("example.com")).contains(exact);
        assertThat(table.routeFor("sub.example.com")).isEmpty();
    }

    @Test
    void matchingIgnoresCase() {
        Route exact = route("Example.COM", "relay.example.net");
        RouteTable table = RouteTable.of("test", List.of(exact, ORG_SUBDOMAINS));

        assertThat(table.routeFor("EXAMPLE.com")).contains(exact);
        assertThat(table.routeFor("Mail.Example.ORG")).contains(ORG_SUBDOMAINS);
    }

    @Test
    void noMatchWithoutAllRouteIsEmpty() {
        RouteTable table = RouteTable.of("test", List.of(EXACT, ORG_SUBDOMAINS));

        assertThat(table.routeFor("example.net")).isEqualTo(Optional.empty());
        assertThat(RouteTable.empty("test").routeFor("example.net")).isEmpty();
    }

    @Test
    void keepsFileOrderAndSource() {
        RouteTable table = RouteTable.of("conf/smtproutes.xml", List.of(EXACT, ALL, ORG_SUBDOMAINS));

        assertThat(table.routes()).containsExactly(EXACT, ALL, ORG_SUBDOMAINS);
        assertThat(table.source()).isEqualTo("conf/smtproutes.xml");
        assertThat(RouteTable.empty("x").routes()).isEmpty();
        assertThat(RouteTable.empty("x").isEmpty()).isTrue();
    }

    @Test
    void refusesDuplicateDomainsIgnoringCase() {
        Route lower = route("example.com", "a.example.net");
        Route upper = route("EXAMPLE.com", "b.example.net");

        assertThatThrownBy(() -> RouteTable.of("conf/smtproutes.xml", List.of(lower, upper)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("conf/smtproutes.xml: route 'example.com' is defined twice");
        assertThatThrownBy(() -> RouteTable.of("t", List.of(route("all", "a.example.net"), ALL)))
            .hasMessage("t: route 'ALL' is defined twice");
    }

    private static Route route(String domain, String host) {
        return Route.builder(domain).host(RouteHost.of(host, 25, 0)).build();
    }
}
