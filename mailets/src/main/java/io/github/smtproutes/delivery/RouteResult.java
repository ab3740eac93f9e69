package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome;

/**
 * How one route settled its recipients of one mail after trying its hosts: accepted somewhere,
 * dropped by a /dev/null route, refused for good (to bounce), failed at every host or not
 * admitted anywhere (to retry), or left by a failure on this side; each with the reply that
 * decided it. It also says whether any host was asked about the mail (only then does the retry
 * count an attempt) and which endpoints the deferred recipients wait for.
 */
public final class RouteResult {
    private final List<MailAddress> delivered;
    private final List<RecipientOutcome> bounced;
    private final List<RecipientOutcome> deferred;
    private final boolean anyHostAccepted;
    private final boolean anyHostAsked;
    private final Set<String> waitedFor;
    private final List<MailAddress> failedLocally;
    private final Optional<RuntimeException> localFailure;

    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted) {
        this(delivered, bounced, deferred, anyHostAccepted, anyHostAccepted, Set.of(), List.of(), Optional.empty());
    }

    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted,
                boolean anyHostAsked, Set<String> waitedFor, List<MailAddress> failedLocally, Optional<RuntimeException> localFailure) {
        this.delivered = List.copyOf(delivered);
        this.bounced = List.copyOf(bounced);
        this.deferred = List.copyOf(deferred);
        this.anyHostAccepted = anyHostAccepted;
        this.anyHostAsked = anyHostAsked;
        this.waitedFor = Set.copyOf(waitedFor);
        this.failedLocally = List.copyOf(failedLocally);
        this.localFailure = localFailure;
    }

    public List<MailAddress> delivered() {
        return delivered;
    }

    public List<RecipientOutcome> bounced() {
        return bounced;
    }

    public List<RecipientOutcome> deferred() {
        return deferred;
    }

    /** Whether a host of the route accepted a transaction: the route works again. */
    public boolean anyHostAccepted() {
        return anyHostAccepted;
    }

    /**
     * Whether a host was asked about this mail (a transaction was started with it). False when
     * every host was down, being probed, or not proven yet: the mail is deferred without any
     * connection, and that is not an attempt.
     */
    public boolean anyHostAsked() {
        return anyHostAsked;
    }

    /**
     * The endpoints ("ip:port") the deferred recipients wait for: those that failed at host level
     * (or refused the route's TLS or AUTH), and those not admitted or not reached. When one of
     * them answers, the mail is worth a try.
     */
    public Set<String> waitedFor() {
        return waitedFor;
    }

    /** Recipients left pending by a failure on this side (see {@link #localFailure()}): neither delivered nor deferred. */
    public List<MailAddress> failedLocally() {
        return failedLocally;
    }

    /** The failure on this side that stopped the walk, if any: not the host's, so never recorded against it. */
    public Optional<RuntimeException> localFailure() {
        return localFailure;
    }
}
