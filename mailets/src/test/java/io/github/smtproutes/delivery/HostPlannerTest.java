package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostFailures;

class HostPlannerTest {
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
    void usednsTakesTheMxHostsInJamesOrder() throws Exception {
        dns.registerRecord("mx1.example.org", List.of(InetAddress.getByName("10.2.2.1")), List.of(), List.of());
        dns.registerRecord("mx2.example.org", List.of(InetAddress.getByName("10.2.2.2")), List.of(), List.of());
        dns.registerRecord("sub.example.org", List.of(), List.of("mx1.example.org", "mx2.example.org"), List.of());
        Route route = Route.builder(".example.org").kind(RouteKind.USEDNS).build();

        assertThat(endpoints(planner.plan(route, "sub.example.org"))).containsExactly("10.2.2.1:25", "10.2.2.2:25");
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
