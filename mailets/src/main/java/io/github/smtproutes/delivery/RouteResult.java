package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome;

/**
 * How one route settled its recipients of one mail after trying its hosts: accepted somewhere,
 * dropped by a /dev/null route, refused for good (to bounce), or failed at every host (to retry),
 * each with the reply that decided it; or left unsettled because this side failed (the message
 * could not be read), which is no host's fault and goes to James's error handling. For the retry
 * queue it also says whether any host was asked about the mail (an attempt that counts) and
 * which endpoints the deferred recipients wait for.
 */
public final class RouteResult {
    private final List<MailAddress> delivered;
    private final List<RecipientOutcome> bounced;
    private final List<RecipientOutcome> deferred;
    private final boolean anyHostAccepted;
    private final boolean anyHostAsked;
    private final Set<String> waitedFor;
    private final List<MailAddress> failedLocally;
    private final Optional<String> localFailure;

    /** A result where no host was asked and none is awaited (e.g. a /dev/null route). */
    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted) {
        this(delivered, bounced, deferred, anyHostAccepted, false, Set.of());
    }

    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted,
                boolean anyHostAsked, Set<String> waitedFor) {
        this(delivered, bounced, deferred, anyHostAccepted, anyHostAsked, waitedFor, List.of(), Optional.empty());
    }

    private RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted,
                        boolean anyHostAsked, Set<String> waitedFor, List<MailAddress> failedLocally, Optional<String> localFailure) {
        this.delivered = List.copyOf(delivered);
        this.bounced = List.copyOf(bounced);
        this.deferred = List.copyOf(deferred);
        this.anyHostAccepted = anyHostAccepted;
        this.anyHostAsked = anyHostAsked;
        this.waitedFor = Set.copyOf(waitedFor);
        this.failedLocally = List.copyOf(failedLocally);
        this.localFailure = localFailure;
    }

    /**
     * The walk stopped at a failure on this side (the message could not be read): the recipients
     * still pending are neither deferred nor bounced, and belong to James's error handling.
     */
    static RouteResult failedLocally(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<MailAddress> pending,
                                     boolean anyHostAccepted, String reason) {
        return new RouteResult(delivered, bounced, List.of(), anyHostAccepted, true, Set.of(), pending, Optional.of(reason));
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

    /** What failed on this side, when the walk stopped at such a failure. */
    public Optional<String> localFailure() {
        return localFailure;
    }

    /** The recipients left unsettled by a {@link #localFailure()}. */
    public List<MailAddress> failedLocally() {
        return failedLocally;
    }

    /** Whether a host of the route accepted a transaction: the route works again. */
    public boolean anyHostAccepted() {
        return anyHostAccepted;
    }

    /**
     * Whether a host was actually asked about this mail (a session with it was attempted): only
     * then does a deferral count as a retry attempt. False when every host was skipped (not
     * admitted, at the route's connection cap) or none was found.
     */
    public boolean anyHostAsked() {
        return anyHostAsked;
    }

    /**
     * The endpoints ("ip:port") the deferred recipients wait for: those that failed at host level
     * or were not admitted. When one of them answers again, the mails waiting for it are retried.
     */
    public Set<String> waitedFor() {
        return waitedFor;
    }
}
