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

import com.google.common.net.InetAddresses;

import io.github.smtproutes.dns.MxResolver;
import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.routes.HostGroup;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.RecipientOutcome.Disposition;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Decides which hosts a delivery tries, and in which order (the role of OkHttp's RouteSelector).
 * The steps, top-down:
 * <ol>
 *   <li>the route's hosts, grouped by priority, 0 first;</li>
 *   <li>each group rotated one step per delivery (round-robin);</li>
 *   <li>each host resolved to its addresses through DNSService;</li>
 *   <li>endpoints that {@link HostFailures} reports down (for this route) moved after all the others, in order.</li>
 * </ol>
 * A USEDNS route takes the recipient domain's MX hosts from {@link MxResolver} instead, already
 * in preference order with their addresses; a domain DNS settles by itself (a null MX, no such
 * domain, a DNS server that cannot answer) gives a plan that is a verdict, without hosts.
 */
public final class HostPlanner {
    /** MX hosts are reached on the SMTP port. */
    static final int MX_PORT = 25;

    private final DNSService dns;
    private final MxResolver mxResolver;
    private final RoundRobin roundRobin;
    private final HostFailures failures;

    public HostPlanner(DNSService dns, RoundRobin roundRobin, HostFailures failures) {
        this(dns, MxResolver.usingJamesResolver(), roundRobin, failures);
    }

    public HostPlanner(DNSService dns, MxResolver mxResolver, RoundRobin roundRobin, HostFailures failures) {
        this.dns = dns;
        this.mxResolver = mxResolver;
        this.roundRobin = roundRobin;
        this.failures = failures;
    }

    public HostPlan plan(Route route, String domain) {
        return plan(route, domain, true);
    }

    /**
     * The plan the next {@link #plan} would return, without moving the round-robin (for WebAdmin).
     * For USEDNS routes, MX hosts of equal preference are shuffled on every lookup, so the order may differ there.
     */
    public HostPlan preview(Route route, String domain) {
        return plan(route, domain, false);
    }

    private HostPlan plan(Route route, String domain, boolean advanceRoundRobin) {
        if (route.kind() == RouteKind.USEDNS) {
            return mxPlan(route, domain);
        }
        List<String> problems = new ArrayList<>();
        List<RouteHost> ordered = orderedHosts(route, advanceRoundRobin);
        Map<String, Integer> priorities = new HashMap<>();
        List<HostAddress> addresses = resolve(ordered, problems, priorities);
        return postponeDownHosts(route, addresses, problems, priorities);
    }

    private List<RouteHost> orderedHosts(Route route, boolean advanceRoundRobin) {
        List<RouteHost> ordered = new ArrayList<>();
        for (HostGroup group : route.priorityGroups()) {
            ordered.addAll(advanceRoundRobin
                ? roundRobin.rotate(group.key(), group.hosts())
                : roundRobin.peek(group.key(), group.hosts()));
        }
        return ordered;
    }

    /**
     * USEDNS: the domain's MX hosts in preference order, each MX preference a priority group (so
     * equal MX hosts are equal alternatives). What DNS settles by itself is a verdict, not hosts.
     */
    private HostPlan mxPlan(Route route, String domain) {
        MxResolver.Answer answer = mxResolver.lookup(domain);
        answer.problems().forEach(problem -> MailLog.mxProblem(domain, problem));
        switch (answer.kind()) {
            case NULL_MX:
                // RFC 7505: mail to a null MX domain is not attempted and fails at once, with 5.1.10
                // and the reply code RFC 7504 made for it (556, domain does not accept mail).
                return HostPlan.settled(Disposition.BOUNCE,
                    SmtpReply.of(556, "556 5.1.10 Recipient address has null MX: " + answer.detail()), List.of(answer.detail()));
            case NO_SUCH_DOMAIN:
                // An authoritative "no such name" is final: Postfix and Exim bounce it too, rather
                // than retrying a typo for days. RFC 3463: X.1.2, bad destination system address.
                return HostPlan.settled(Disposition.BOUNCE,
                    SmtpReply.of(550, "550 5.1.2 Bad destination system address: " + answer.detail()), List.of(answer.detail()));
            case TEMPORARY_FAILURE:
                // The DNS did not answer (SERVFAIL, timeout): nothing is known, so the mail waits.
                return HostPlan.settled(Disposition.NEXT_HOST,
                    SmtpReply.of(451, "451 4.4.3 Directory server failure: " + answer.detail()), List.of(answer.detail()));
            case HOSTS:
            default:
                return mxHostPlan(route, domain, answer);
        }
    }

    private HostPlan mxHostPlan(Route route, String domain, MxResolver.Answer answer) {
        if (answer.hosts().isEmpty()) {
            // MX records exist but none can be used now (bad names, no address): the domain's
            // admin may fix it, so the mail waits rather than bounces.
            String why = "no usable MX host for " + domain + ": " + String.join("; ", answer.problems());
            return HostPlan.settled(Disposition.NEXT_HOST, SmtpReply.of(451, "451 4.4.4 Unable to route: " + why), answer.problems());
        }
        List<HostAddress> addresses = new ArrayList<>();
        Map<String, Integer> priorities = new HashMap<>();
        for (MxResolver.MxHost host : answer.hosts()) {
            for (InetAddress address : host.addresses()) {
                HostAddress resolved = new HostAddress(host.name(), address, MX_PORT);
                addresses.add(resolved);
                priorities.putIfAbsent(resolved.endpoint(), host.preference());
            }
        }
        return postponeDownHosts(route, addresses, new ArrayList<>(answer.problems()), priorities);
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
}
