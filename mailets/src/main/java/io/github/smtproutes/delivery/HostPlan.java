package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Set;

import io.github.smtproutes.smtp.HostAddress;

/**
 * The ordered destinations one delivery will try: priority groups in order, each rotated for
 * round-robin, with down hosts postponed to the end rather than dropped. It also keeps what went
 * wrong while building it (an MX lookup that failed, a host name that did not resolve), which
 * becomes the error of a mail that found no host at all.
 */
public final class HostPlan {
    private final List<HostAddress> hosts;
    private final Set<String> postponed;
    private final List<String> problems;

    HostPlan(List<HostAddress> hosts, Set<String> postponed, List<String> problems) {
        this.hosts = List.copyOf(hosts);
        this.postponed = Set.copyOf(postponed);
        this.problems = List.copyOf(problems);
    }

    public List<HostAddress> hosts() {
        return hosts;
    }

    /** Whether this host was down when planned, and so placed after every host that was up. */
    public boolean isPostponed(HostAddress host) {
        return postponed.contains(host.endpoint());
    }

    public List<String> problems() {
        return problems;
    }

    public boolean isEmpty() {
        return hosts.isEmpty();
    }
}
