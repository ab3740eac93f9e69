package io.github.smtproutes.nodes;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.retry.RetryQueue;

/**
 * One node among several James nodes that share a retry store. Every renewal interval it renews
 * its own lease, then looks at the others': when a node's lease has run out, one live node, the
 * one with the lowest id, adopts that node's waiting mail, so that a dead node's mail is
 * delivered without anyone bringing it back. The same rule adopts the queue of a node without an
 * id, which is how a single node's mail moves over when it is given a node id.
 *
 * <p>Choosing the adopter by the lowest live id makes two nodes rarely adopt the same queue; when
 * they still race (their views of the leases differ for an interval), each mail is stored by both
 * and delivered twice, never lost. A node that cannot renew its own lease says so through
 * {@link #holdsLease()}: its scheduler stops retrying until it can, because another node may
 * already be adopting its queue.
 */
public final class RetryNodes implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(RetryNodes.class);

    /** Opens a James mail repository by URL (MailRepositoryStore.select). */
    @FunctionalInterface
    public interface Repositories {
        MailRepository select(String url) throws MessagingException;
    }

    /** What WebAdmin shows of one node. */
    public static final class NodeView {
        public final String nodeId;
        public final Instant leaseUntil;
        public final boolean live;
        public final boolean self;
        public final long waiting;
        public final Optional<String> adoptedBy;
        public final Optional<Instant> adoptedAt;

        NodeView(NodeLease lease, boolean live, boolean self, long waiting) {
            this.nodeId = lease.nodeId();
            this.leaseUntil = lease.leaseUntil();
            this.live = live;
            this.self = self;
            this.waiting = waiting;
            this.adoptedBy = lease.adoptedBy();
            this.adoptedAt = lease.adoptedAt();
        }
    }

    /** The outcome of an adoption asked for by an operator. */
    public enum Verdict { ADOPTED, UNKNOWN_NODE, LEASE_LIVE, SELF }

    public static final class AdoptResult {
        public final Verdict verdict;
        public final int adopted;

        AdoptResult(Verdict verdict, int adopted) {
            this.verdict = verdict;
            this.adopted = adopted;
        }
    }

    private final NodeLayout layout;
    private final LeaseBook leases;
    private final Repositories repositories;
    private final RetryQueue ownQueue;
    private final QueueTakeover takeover;
    private final Clock clock;
    private final Duration renewEvery;
    private volatile boolean holdsLease;
    private ScheduledExecutorService ticker;

    public RetryNodes(NodeLayout layout, LeaseBook leases, Repositories repositories, RetryQueue ownQueue, QueueTakeover takeover,
                      Clock clock, Duration renewEvery) {
        this.layout = Objects.requireNonNull(layout, "layout");
        this.leases = Objects.requireNonNull(leases, "leases");
        this.repositories = Objects.requireNonNull(repositories, "repositories");
        this.ownQueue = Objects.requireNonNull(ownQueue, "ownQueue");
        this.takeover = Objects.requireNonNull(takeover, "takeover");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.renewEvery = Objects.requireNonNull(renewEvery, "renewEvery");
    }

    public NodeLayout layout() {
        return layout;
    }

    /** Whether this node renewed its lease at its last try: its scheduler may retry mail only then. */
    public boolean holdsLease() {
        return holdsLease;
    }

    /** Renews the lease once now (so the scheduler can start at once), then every interval. */
    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        renewOwnLease();
        ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smtp-routes-nodes-" + layout.nodeId());
            thread.setDaemon(true);
            return thread;
        });
        ticker.scheduleWithFixedDelay(this::tickSafely, renewEvery.toMillis(), renewEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops renewing. The lease is left to run out, so that a node that never comes back is adopted. */
    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    private void tickSafely() {
        try {
            tick();
        } catch (Exception e) {
            LOGGER.warn("SMTP Routes node {}: lease round failed, tried again in {}: {}", layout.nodeId(), renewEvery, e.getMessage(), e);
        }
    }

    /** One round: renew this node's lease; if it holds, adopt the queues of nodes whose lease ran out. */
    public void tick() throws MessagingException {
        if (!renewOwnLease()) {
            return;
        }
        Instant now = clock.instant();
        List<NodeLease> all = leases.all();
        if (!isAdopter(all, now)) {
            return;
        }
        for (NodeLease lease : all) {
            if (!lease.nodeId().equals(layout.nodeId()) && !lease.isLive(now)) {
                adopt(lease, now);
            }
        }
        adoptUnsuffixedQueue();
    }

    /**
     * Adopts {@code nodeId}'s waiting mail now, as an operator asks. Refused while that node's
     * lease runs, unless {@code force}: a live node is delivering that mail itself.
     */
    public AdoptResult adoptNow(String nodeId, boolean force) throws MessagingException {
        if (nodeId.equals(layout.nodeId())) {
            return new AdoptResult(Verdict.SELF, 0);
        }
        Optional<NodeLease> lease = leases.of(nodeId);
        if (lease.isEmpty()) {
            return new AdoptResult(Verdict.UNKNOWN_NODE, 0);
        }
        Instant now = clock.instant();
        if (lease.get().isLive(now) && !force) {
            return new AdoptResult(Verdict.LEASE_LIVE, 0);
        }
        return new AdoptResult(Verdict.ADOPTED, adopt(lease.get(), now));
    }

    /** Every node the shared store knows, lowest id first. */
    public List<NodeView> nodes() throws MessagingException {
        Instant now = clock.instant();
        List<NodeView> views = new ArrayList<>();
        for (NodeLease lease : leases.all()) {
            boolean self = lease.nodeId().equals(layout.nodeId());
            boolean live = lease.isLive(now);
            views.add(new NodeView(lease, live, self, waiting(lease, self, live)));
        }
        views.sort(Comparator.comparing(view -> view.nodeId));
        return views;
    }

    /**
     * The waiting count: this node's from its queue; a live other node's as it last reported it
     * (opening a live node's file repository would run FileMailRepository's clean-up of files it
     * is still writing); a dead node's from its queue.
     */
    private long waiting(NodeLease lease, boolean self, boolean live) throws MessagingException {
        if (self) {
            return ownQueue.size();
        }
        if (live) {
            return lease.waiting();
        }
        return repositories.select(layout.queueOf(lease.nodeId())).size();
    }

    private boolean renewOwnLease() {
        boolean held = holdsLease;
        try {
            leases.renew(layout.nodeId(), clock.instant().plus(layout.lease()), ownQueue.size());
            holdsLease = true;
            if (!held) {
                LOGGER.info("SMTP Routes node {} holds its lease ({}), retrying its queue {}", layout.nodeId(), layout.lease(), layout.ownQueue());
            }
        } catch (MessagingException | RuntimeException e) {
            holdsLease = false;
            if (held) {
                LOGGER.warn("SMTP Routes node {} cannot renew its lease, its retries stop until it can: {}", layout.nodeId(), e.getMessage(), e);
            }
        }
        return holdsLease;
    }

    /** The adopter of dead nodes' mail is the live node with the lowest id; this node is live, it just renewed. */
    private boolean isAdopter(List<NodeLease> all, Instant now) {
        return all.stream()
            .filter(lease -> lease.isLive(now) || lease.nodeId().equals(layout.nodeId()))
            .map(NodeLease::nodeId)
            .min(Comparator.naturalOrder())
            .map(lowest -> lowest.equals(layout.nodeId()))
            .orElse(true);
    }

    private int adopt(NodeLease lease, Instant now) throws MessagingException {
        MailRepository from = repositories.select(layout.queueOf(lease.nodeId()));
        int moved = takeover.adopt(from, lease.nodeId(), ownQueue::adopt, layout.nodeId());
        if (moved > 0) {
            MailLog.queueAdopted(lease.nodeId(), layout.nodeId(), moved, lease.leaseUntil());
            leases.markAdopted(lease, layout.nodeId(), now);
        }
        return moved;
    }

    private void adoptUnsuffixedQueue() throws MessagingException {
        MailRepository unsuffixed = repositories.select(layout.unsuffixedQueue());
        int moved = takeover.adopt(unsuffixed, "(no node id)", ownQueue::adopt, layout.nodeId());
        if (moved > 0) {
            LOGGER.info("SMTP Routes node {} took over {} waiting mail(s) of {}, the queue of a node without retryNodeId",
                layout.nodeId(), moved, layout.unsuffixedQueue());
        }
    }
}
