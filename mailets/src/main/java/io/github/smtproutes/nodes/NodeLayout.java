package io.github.smtproutes.nodes;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the retry queues of several James nodes live in one shared store, derived from the
 * mailet's {@code retryRepository} alone so that pointing every node at the same store is the
 * whole set-up. Node {@code X} keeps its waiting mail in {@code <retryRepository>X/}, the node
 * leases live in {@code <retryRepository>_nodes/} (an underscore cannot start a node id, so no
 * node's queue can collide with it), and {@code <retryRepository>} itself is the queue of a
 * single node without an id: the one a node adopts when it is upgraded to a node id.
 */
public final class NodeLayout {
    /** Pod and host names fit: letters, digits, dot, dash and underscore, not starting with a sign. */
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    public static final Duration DEFAULT_LEASE = Duration.ofMinutes(5);
    static final String LEASES = "_nodes/";

    private final String configured;
    private final String base;
    private final String nodeId;
    private final Duration lease;

    private NodeLayout(String configured, String nodeId, Duration lease) {
        this.configured = configured.trim();
        this.base = normalised(configured);
        this.nodeId = nodeId;
        this.lease = lease;
    }

    /**
     * @throws IllegalArgumentException for a node id that is not a plain name, or a lease that
     *     is not longer than two retry intervals (a lease must survive one late renewal)
     */
    public static NodeLayout of(String retryRepository, String nodeId, Duration lease, Duration renewEvery) {
        Objects.requireNonNull(nodeId, "nodeId");
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("retryNodeId '" + nodeId + "' is not a node name: use letters, digits, '.', '-' and '_' "
                + "(at most 63, starting with a letter or digit), e.g. the pod or host name");
        }
        if (lease.compareTo(renewEvery.multipliedBy(2)) <= 0) {
            throw new IllegalArgumentException("retryNodeLease " + lease + " must be longer than two retryInterval (" + renewEvery
                + "): the lease is renewed every retryInterval and must survive one late renewal");
        }
        return new NodeLayout(retryRepository, nodeId, lease);
    }

    /** The repository URL with exactly one trailing slash: {@code .../retry} and {@code .../retry/} are one queue. */
    public static String normalised(String repositoryUrl) {
        String trimmed = repositoryUrl.trim();
        while (trimmed.endsWith("/") && !trimmed.endsWith("://")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed + "/";
    }

    public String nodeId() {
        return nodeId;
    }

    public Duration lease() {
        return lease;
    }

    /** The shared {@code retryRepository} every node names. */
    public String sharedBase() {
        return base;
    }

    /** This node's own retry queue. */
    public String ownQueue() {
        return queueOf(nodeId);
    }

    public String queueOf(String node) {
        return base + node + "/";
    }

    /**
     * The queue of a node without an id (before the upgrade to several nodes): the URL exactly as
     * configured, since James counts {@code .../retry} and {@code .../retry/} as two repositories.
     */
    public String unsuffixedQueue() {
        return configured;
    }

    public String leaseBook() {
        return base + LEASES;
    }

    public static boolean isNodeId(String text) {
        return text != null && NODE_ID.matcher(text).matches();
    }
}
