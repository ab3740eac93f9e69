package io.github.smtproutes.delivery;

import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome;

/**
 * How one route settled its recipients of one mail after trying its hosts: accepted somewhere,
 * dropped by a /dev/null route, refused for good (to bounce), failed at every host or not
 * admitted anywhere (to retry), each with the reply that decided it; or left unsettled because
 * this side failed (the message could not be read, a bug), which is no host's fault and goes to
 * James's error handling. For the retry queue it also says whether any host was asked about the
 * mail (only then does the retry count an attempt) and which endpoints the deferred recipients
 * wait for.
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
    private final Optional<RuntimeException> localFailureCause;

    /** A result where no host was asked and none is awaited (e.g. a /dev/null route). */
    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted) {
        this(delivered, bounced, deferred, anyHostAccepted, false, Set.of());
    }

    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted,
                boolean anyHostAsked, Set<String> waitedFor) {
        this(delivered, bounced, deferred, anyHostAccepted, anyHostAsked, waitedFor, List.of(), Optional.empty(), Optional.empty());
    }

    private RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted,
                        boolean anyHostAsked, Set<String> waitedFor, List<MailAddress> failedLocally, Optional<String> localFailure,
                        Optional<RuntimeException> localFailureCause) {
        this.delivered = List.copyOf(delivered);
        this.bounced = List.copyOf(bounced);
        this.deferred = List.copyOf(deferred);
        this.anyHostAccepted = anyHostAccepted;
        this.anyHostAsked = anyHostAsked;
        this.waitedFor = Set.copyOf(waitedFor);
        this.failedLocally = List.copyOf(failedLocally);
        this.localFailure = localFailure;
        this.localFailureCause = localFailureCause;
    }

    /**
     * The walk stopped at a failure on this side (the message could not be read): the recipients
     * still pending are neither deferred nor bounced, and belong to James's error handling;
     * {@code cause} is the exception that stopped the walk, when one did.
     */
    static RouteResult failedLocally(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<MailAddress> pending,
                                     boolean anyHostAccepted, boolean anyHostAsked, String reason, Optional<RuntimeException> cause) {
        return new RouteResult(delivered, bounced, List.of(), anyHostAccepted, anyHostAsked, Set.of(), pending, Optional.of(reason), cause);
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

    /** What failed on this side, when the walk stopped at such a failure: not the host's, so never recorded against it. */
    public Optional<String> localFailure() {
        return localFailure;
    }

    /** The recipients left unsettled by a {@link #localFailure()}. */
    public List<MailAddress> failedLocally() {
        return failedLocally;
    }

    /** The exception that stopped the walk, when the failure on this side was one (a bug, an unreadable mail). */
    public Optional<RuntimeException> localFailureCause() {
        return localFailureCause;
    }

    /** Whether a host of the route accepted a transaction: the route works again. */
    public boolean anyHostAccepted() {
        return anyHostAccepted;
    }

    /**
     * Whether a host was actually asked about this mail (a transaction was started with it): only
     * then does a deferral count as a retry attempt. False when every host was skipped (down,
     * being probed, not proven yet, at the route's connection cap) or none was found: the mail is
     * deferred without any connection, and that is not an attempt.
     */
    public boolean anyHostAsked() {
        return anyHostAsked;
    }

    /**
     * The endpoints ("ip:port") the deferred recipients wait for: those that failed at host level
     * or refused the route's TLS or AUTH, and those not admitted or not reached. When one of them
     * answers again, the mails waiting for it are retried.
     */
    public Set<String> waitedFor() {
        return waitedFor;
    }
}
