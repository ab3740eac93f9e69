package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.dns.MxResolver;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.RecipientOutcome.Disposition;
import io.github.smtproutes.testing.ScriptedDnsServer;

class HostPlannerTest {
    static final Route USEDNS = Route.builder(".example.org").kind(RouteKind.USEDNS).build();

    InMemoryDNSService dns;
    HostFailures failures;
    HostPlanner planner;

    @BeforeEach
    void setUp() {
        dns = new InMemoryDNSService();
        failures = new HostFailures(Clock.systemUTC());
        planner = new HostPlanner(dns, new RoundRobin(), failures);
    }

    @Test
    void priorityGroupsComeInOrderAndRotateInside() {
        Route route = Route.builder("example.com").hosts(
            RouteHost.of("10.0.0.9", 25, 10),
            RouteHost.of("10.0.0.1", 25, 0),
            RouteHost.of("10.0.0.2", 25, 0),
            RouteHost.of("10.0.0.3", 25, 0)).build();

        assertThat(endpoints(planner.plan(route, "example.com")))
            .containsExactly("10.0.0.1:25", "10.0.0.2:25", "10.0.0.3:25", "10.0.0.9:25");
        assertThat(endpoints(planner.plan(route, "example.com")))
            .containsExactly("10.0.0.2:25", "10.0.0.3:25", "10.0.0.1:25", "10.0.0.9:25");
        assertThat(endpoints(planner.plan(route, "example.com")))
            .containsExactly("10.0.0.3:25", "10.0.0.1:25", "10.0.0.2:25", "10.0.0.9:25");
        assertThat(endpoints(planner.plan(route, "example.com")))
            .containsExactly("10.0.0.1:25", "10.0.0.2:25", "10.0.0.3:25", "10.0.0.9:25");
    }

    @Test
    void downHostsArePostponedBehindEveryUpHostNotDropped() {
        Route route = Route.builder("example.com").hosts(
            RouteHost.of("10.0.0.1", 25, 0),
            RouteHost.of("10.0.0.2", 2525, 10)).build();
        failures.failed("10.0.0.1:25", "421 4.3.1 Mail system full");

        HostPlan plan = planner.plan(route, "example.com");

        assertThat(endpoints(plan)).containsExactly("10.0.0.2:2525", "10.0.0.1:25");
        assertThat(plan.isPostponed(plan.hosts().get(1))).isTrue();
        assertThat(plan.isPostponed(plan.hosts().get(0))).isFalse();
    }

    @Test
    void whenEveryHostIsDownTheyAreStillAllTriedInOrder() {
        Route route = Route.builder("example.com").hosts(
            RouteHost.of("10.0.0.1", 25, 0),
            RouteHost.of("10.0.0.2", 25, 10)).build();
        failures.failed("10.0.0.1:25", "refused");
        failures.failed("10.0.0.2:25", "refused");

        assertThat(endpoints(planner.plan(route, "example.com"))).containsExactly("10.0.0.1:25", "10.0.0.2:25");
    }

    @Test
    void hostNamesAreResolvedThroughJamesDns() throws Exception {
        dns.registerRecord("mail.example.com", List.of(InetAddress.getByName("10.1.1.1"), InetAddress.getByName("10.1.1.2")), List.of(), List.of());
        Route route = Route.builder("example.com").hosts(RouteHost.of("mail.example.com", 2525, 0)).build();

        HostPlan plan = planner.plan(route, "example.com");

        assertThat(endpoints(plan)).containsExactly("10.1.1.1:2525", "10.1.1.2:2525");
        assertThat(plan.hosts()).extracting(HostAddress::hostName).containsOnly("mail.example.com");
    }

    @Test
    void anUnknownHostIsReportedAndSkipped() {
        Route route = Route.builder("example.com").hosts(
            RouteHost.of("nowhere.example.com", 25, 0),
            RouteHost.of("10.0.0.2", 25, 0)).build();

        HostPlan plan = planner.plan(route, "example.com");

        assertThat(endpoints(plan)).containsExactly("10.0.0.2:25");
        assertThat(plan.problems()).containsExactly("nowhere.example.com:25: unknown host");
    }

    @Test
    void usednsTakesTheMxHostsInPreferenceOrderOnPort25() {
        try (ScriptedDnsServer dns = ScriptedDnsServer.start()
            .mx("sub.example.org", 20, "mx2.example.org").mx("sub.example.org", 10, "mx1.example.org")
            .a("mx1.example.org", "10.2.2.1").a("mx2.example.org", "10.2.2.2")) {
            HostPlan plan = usedns(dns).plan(USEDNS, "sub.example.org");

            assertThat(endpoints(plan)).containsExactly("10.2.2.1:25", "10.2.2.2:25");
            assertThat(plan.verdict()).isEmpty();
        }
    }

    @Test
    void usednsMxHostsOfEqualPreferenceAreEqualAlternatives() {
        try (ScriptedDnsServer dns = ScriptedDnsServer.start()
            .mx("eq.example.org", 10, "mx1.example.org").mx("eq.example.org", 10, "mx2.example.org")
            .a("mx1.example.org", "10.2.2.1").a("mx2.example.org", "10.2.2.2")) {
            HostPlan plan = usedns(dns).plan(USEDNS, "eq.example.org");

            assertThat(endpoints(plan)).containsExactlyInAnyOrder("10.2.2.1:25", "10.2.2.2:25");
            assertThat(plan.hasEqualAlternativeAfter(0)).isTrue();
        }
    }

    @Test
    void usednsVerdictsNeedNoHost() {
        try (ScriptedDnsServer dns = ScriptedDnsServer.start()
            .mx("nullmx.example.org", 0, ".")
            .servfail("servfail.example.org")
            .mx("bad.example.org", 10, "bad_name.example.org")) {
            HostPlanner planner = usedns(dns);

            assertVerdict(planner.plan(USEDNS, "nullmx.example.org"), Disposition.BOUNCE, "556 5.1.10");
            assertVerdict(planner.plan(USEDNS, "nx.example.org"), Disposition.BOUNCE, "550 5.1.2");
            assertVerdict(planner.plan(USEDNS, "servfail.example.org"), Disposition.NEXT_HOST, "451 4.4.3");
            assertVerdict(planner.plan(USEDNS, "bad.example.org"), Disposition.NEXT_HOST, "451 4.4.4");
        }
    }

    private static void assertVerdict(HostPlan plan, Disposition verdict, String reply) {
        assertThat(plan.hosts()).isEmpty();
        assertThat(plan.verdict()).contains(verdict);
        assertThat(plan.verdictReply()).hasValueSatisfying(r -> assertThat(r.text()).startsWith(reply));
        assertThat(plan.verdictReply().get().enhancedCode()).contains(reply.substring(4));
    }

    private HostPlanner usedns(ScriptedDnsServer dns) {
        return new HostPlanner(this.dns, MxResolver.usingServers(dns.address()), new RoundRobin(), failures);
    }

    @Test
    void ipv6LiteralsAreUsedAsIs() {
        Route route = Route.builder("example.com").hosts(RouteHost.of("::1", 2525, 0)).build();

        assertThat(endpoints(planner.plan(route, "example.com"))).containsExactly("[0:0:0:0:0:0:0:1]:2525");
    }

    private static List<String> endpoints(HostPlan plan) {
        return plan.hosts().stream().map(HostAddress::endpoint).collect(Collectors.toList());
    }
}
