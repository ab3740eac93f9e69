package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Map;
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
    private final Map<String, Integer> priorities;

    HostPlan(List<HostAddress> hosts, Set<String> postponed, List<String> problems) {
        this(hosts, postponed, problems, Map.of());
    }

    HostPlan(List<HostAddress> hosts, Set<String> postponed, List<String> problems, Map<String, Integer> priorities) {
        this.hosts = List.copyOf(hosts);
        this.postponed = Set.copyOf(postponed);
        this.problems = List.copyOf(problems);
        this.priorities = Map.copyOf(priorities);
    }

    public List<HostAddress> hosts() {
        return hosts;
    }

    /** Whether this host was down when planned, and so placed after every host that was up. */
    public boolean isPostponed(HostAddress host) {
        return postponed.contains(host.endpoint());
    }

    /**
     * Whether a host after {@code index} in this plan, not postponed, has the same priority as the
     * host at {@code index}: an equal alternative that may go first without breaking priorities.
     */
    public boolean hasEqualAlternativeAfter(int index) {
        Integer priority = priorities.get(hosts.get(index).endpoint());
        if (priority == null) {
            return false;
        }
        for (HostAddress later : hosts.subList(index + 1, hosts.size())) {
            if (!isPostponed(later) && priority.equals(priorities.get(later.endpoint()))) {
                return true;
            }
        }
        return false;
    }

    public List<String> problems() {
        return problems;
    }

    public boolean isEmpty() {
        return hosts.isEmpty();
    }
}
