package io.github.smtproutes.delivery;

import java.util.List;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.smtp.RecipientOutcome;

/**
 * How one route settled its recipients of one mail after trying its hosts: accepted somewhere,
 * dropped by a /dev/null route, refused for good (to bounce), or failed at every host (to retry),
 * each with the reply that decided it.
 */
public final class RouteResult {
    private final List<MailAddress> delivered;
    private final List<RecipientOutcome> bounced;
    private final List<RecipientOutcome> deferred;
    private final boolean anyHostAccepted;

    RouteResult(List<MailAddress> delivered, List<RecipientOutcome> bounced, List<RecipientOutcome> deferred, boolean anyHostAccepted) {
        this.delivered = List.copyOf(delivered);
        this.bounced = List.copyOf(bounced);
        this.deferred = List.copyOf(deferred);
        this.anyHostAccepted = anyHostAccepted;
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
}
