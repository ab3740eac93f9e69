package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.RecipientOutcome.Disposition;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * The ordered destinations one delivery will try: priority groups in order, each rotated for
 * round-robin, with down hosts postponed to the end rather than dropped. It also keeps what went
 * wrong while building it (an MX lookup that failed, a host name that did not resolve), which
 * becomes the error of a mail that found no host at all. A plan may also be a verdict reached
 * before any host: DNS said the domain takes no mail (bounce) or could not answer (retry later).
 */
public final class HostPlan {
    private final List<HostAddress> hosts;
    private final Set<String> postponed;
    private final List<String> problems;
    private final Map<String, Integer> priorities;
    private final Optional<Disposition> verdict;
    private final Optional<SmtpReply> verdictReply;

    HostPlan(List<HostAddress> hosts, Set<String> postponed, List<String> problems) {
        this(hosts, postponed, problems, Map.of());
    }

    HostPlan(List<HostAddress> hosts, Set<String> postponed, List<String> problems, Map<String, Integer> priorities) {
        this.hosts = List.copyOf(hosts);
        this.postponed = Set.copyOf(postponed);
        this.problems = List.copyOf(problems);
        this.priorities = Map.copyOf(priorities);
        this.verdict = Optional.empty();
        this.verdictReply = Optional.empty();
    }

    private HostPlan(Disposition verdict, SmtpReply reply, List<String> problems) {
        this.hosts = List.of();
        this.postponed = Set.of();
        this.problems = List.copyOf(problems);
        this.priorities = Map.of();
        this.verdict = Optional.of(verdict);
        this.verdictReply = Optional.of(reply);
    }

    /**
     * A plan without hosts that already decides every recipient: {@link Disposition#BOUNCE} or
     * {@link Disposition#NEXT_HOST} (wait for a retry), with {@code reply} as the reason.
     */
    static HostPlan settled(Disposition verdict, SmtpReply reply, List<String> problems) {
        if (verdict == Disposition.ACCEPTED) {
            throw new IllegalArgumentException("a plan cannot deliver");
        }
        return new HostPlan(verdict, reply, problems);
    }

    /** The decision for every recipient, when this plan was settled before any host was tried. */
    public Optional<Disposition> verdict() {
        return verdict;
    }

    /** The reason of {@link #verdict()}, e.g. {@code 556 5.1.10} for a domain with a null MX. */
    public Optional<SmtpReply> verdictReply() {
        return verdictReply;
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
