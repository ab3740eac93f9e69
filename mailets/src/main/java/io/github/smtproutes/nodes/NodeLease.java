package io.github.smtproutes.nodes;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the shared store says about one node: until when its lease runs, how many mails it had
 * waiting when it last renewed, and who adopted its queue after the lease ran out. A value; the
 * {@link LeaseBook} reads and writes it.
 */
public final class NodeLease {
    private final String nodeId;
    private final Instant leaseUntil;
    private final long waiting;
    private final Optional<String> adoptedBy;
    private final Optional<Instant> adoptedAt;

    public NodeLease(String nodeId, Instant leaseUntil, long waiting, Optional<String> adoptedBy, Optional<Instant> adoptedAt) {
        this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
        this.leaseUntil = Objects.requireNonNull(leaseUntil, "leaseUntil");
        this.waiting = waiting;
        this.adoptedBy = adoptedBy;
        this.adoptedAt = adoptedAt;
    }

    public String nodeId() {
        return nodeId;
    }

    public Instant leaseUntil() {
        return leaseUntil;
    }

    /** Mails the node had waiting when it last renewed its lease. */
    public long waiting() {
        return waiting;
    }

    public Optional<String> adoptedBy() {
        return adoptedBy;
    }

    public Optional<Instant> adoptedAt() {
        return adoptedAt;
    }

    public boolean isLive(Instant now) {
        return leaseUntil.isAfter(now);
    }

    /** The same lease, marked as adopted by {@code node} at {@code at}. */
    public NodeLease adoptedBy(String node, Instant at) {
        return new NodeLease(nodeId, leaseUntil, waiting, Optional.of(node), Optional.of(at));
    }

    @Override
    public String toString() {
        return nodeId + " until " + leaseUntil;
    }
}
