package io.github.smtproutes.delivery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.dnsservice.api.TemporaryResolutionException;

import com.google.common.net.InetAddresses;

import io.github.smtproutes.routes.HostGroup;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostFailures;

/**
 * Decides which hosts a delivery tries, and in which order (the role of OkHttp's RouteSelector).
 * The steps, top-down:
 * <ol>
 *   <li>the route's hosts, or for USEDNS the recipient domain's MX hosts from James's DNSService;</li>
 *   <li>grouped by priority, 0 first;</li>
 *   <li>each group rotated one step per delivery (round-robin);</li>
 *   <li>each host resolved to its addresses through DNSService;</li>
 *   <li>endpoints that {@link HostFailures} reports down (for this route) moved after all the others, in order.</li>
 * </ol>
 */
public final class HostPlanner {
    private final DNSService dns;
    private final RoundRobin roundRobin;
    private final HostFailures failures;

    public HostPlanner(DNSService dns, RoundRobin roundRobin, HostFailures failures) {
        this.dns = dns;
        this.roundRobin = roundRobin;
        this.failures = failures;
    }

    public HostPlan plan(Route route, String domain) {
        return plan(route, domain, true);
    }

    /**
     * The plan the next {@link #plan} would return, without moving the round-robin (for WebAdmin).
     * For USEDNS routes, DNSService shuffles equal MX preferences, so the order may differ there.
     */
    public HostPlan preview(Route route, String domain) {
        return plan(route, domain, false);
    }

    private HostPlan plan(Route route, String domain, boolean advanceRoundRobin) {
        List<String> problems = new ArrayList<>();
        List<RouteHost> ordered = orderedHosts(route, domain, problems, advanceRoundRobin);
        Map<String, Integer> priorities = new HashMap<>();
        List<HostAddress> addresses = resolve(ordered, problems, priorities);
        return postponeDownHosts(route, addresses, problems, priorities);
    }

    private List<RouteHost> orderedHosts(Route route, String domain, List<String> problems, boolean advanceRoundRobin) {
        if (route.kind() == RouteKind.USEDNS) {
            return mxHosts(domain, problems);
        }
        List<RouteHost> ordered = new ArrayList<>();
        for (HostGroup group : route.priorityGroups()) {
            ordered.addAll(advanceRoundRobin
                ? roundRobin.rotate(group.key(), group.hosts())
                : roundRobin.peek(group.key(), group.hosts()));
        }
        return ordered;
    }

    /**
     * MX hosts in preference order. James's DNSService already sorts them and shuffles equal
     * preferences, and falls back to the domain's own address when it has no MX (RFC 5321 5.1).
     */
    private List<RouteHost> mxHosts(String domain, List<String> problems) {
        try {
            Collection<String> mx = dns.findMXRecords(domain);
            if (mx.isEmpty()) {
                problems.add("no MX or address record for " + domain);
            }
            List<RouteHost> hosts = new ArrayList<>();
            int preference = 0;
            for (String name : mx) {
                hosts.add(RouteHost.of(stripTrailingDot(name), 25, preference++));
            }
            return hosts;
        } catch (TemporaryResolutionException e) {
            problems.add("temporary DNS failure looking up MX of " + domain);
            return List.of();
        }
    }

    private List<HostAddress> resolve(List<RouteHost> hosts, List<String> problems, Map<String, Integer> priorities) {
        List<HostAddress> addresses = new ArrayList<>();
        for (RouteHost host : hosts) {
            try {
                for (InetAddress address : addressesOf(host.host())) {
                    HostAddress resolved = new HostAddress(host.host(), address, host.port());
                    addresses.add(resolved);
                    priorities.putIfAbsent(resolved.endpoint(), host.priority());
                }
            } catch (UnknownHostException e) {
                problems.add(host.address() + ": unknown host");
            }
        }
        return addresses;
    }

    private Collection<InetAddress> addressesOf(String host) throws UnknownHostException {
        // IP literals never go through DNS.
        if (InetAddresses.isInetAddress(host)) {
            return List.of(InetAddresses.forString(host));
        }
        Collection<InetAddress> all = dns.getAllByName(host);
        if (all.isEmpty()) {
            throw new UnknownHostException(host);
        }
        return all;
    }

    private HostPlan postponeDownHosts(Route route, List<HostAddress> addresses, List<String> problems, Map<String, Integer> priorities) {
        List<HostAddress> up = new ArrayList<>();
        List<HostAddress> down = new ArrayList<>();
        Set<String> postponed = new LinkedHashSet<>();
        for (HostAddress address : new LinkedHashSet<>(addresses)) {
            if (failures.isDown(address.endpoint(), route.domain())) {
                down.add(address);
                postponed.add(address.endpoint());
            } else {
                up.add(address);
            }
        }
        up.addAll(down);
        return new HostPlan(up, postponed, problems, priorities);
    }

    private static String stripTrailingDot(String name) {
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }
}
