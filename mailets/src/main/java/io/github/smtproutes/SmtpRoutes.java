package io.github.smtproutes;

import java.io.File;
import java.io.FileNotFoundException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.inject.Inject;
import javax.inject.Singleton;
import javax.mail.MessagingException;

import org.apache.james.filesystem.api.FileSystem;

import io.github.smtproutes.delivery.RoundRobin;
import io.github.smtproutes.nodes.RetryNodes;
import io.github.smtproutes.retry.RetryQueueHandle;
import io.github.smtproutes.routes.RouteFileException;
import io.github.smtproutes.routes.RouteFileParser;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;

/**
 * The state SMTP Routes shares across one James process: the loaded route tables (one per route
 * file, the very same instance for the matcher, the mailet and WebAdmin), the round-robin
 * positions, the failure memory of destination hosts and their admission (slow start, probes). Guice creates it once ({@code @Singleton}); the
 * James-facing classes get it injected.
 */
@Singleton
public class SmtpRoutes {
    public static final String DEFAULT_ROUTES = "file://conf/smtproutes.xml";

    private final FileSystem fileSystem;
    private final RoundRobin roundRobin = new RoundRobin();
    private final HostFailures failures;
    private final HostAdmission admission;
    private final ConcurrentHashMap<String, LiveRouteTable> tables = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RetryQueueHandle> retryQueues = new ConcurrentHashMap<>();
    private final Set<ConnectionPool> connectionPools = ConcurrentHashMap.newKeySet();
    private final Set<RetryNodes> retryNodes = ConcurrentHashMap.newKeySet();

    @Inject
    public SmtpRoutes(FileSystem fileSystem, Clock clock) {
        this.fileSystem = fileSystem;
        this.failures = new HostFailures(clock);
        this.admission = new HostAdmission(failures);
    }

    /** The route file a matcher condition or a hook/mailet parameter names; the default when blank. */
    public static String routeFileLocation(String configured) {
        return configured == null || configured.isBlank() ? DEFAULT_ROUTES : configured.trim();
    }

    /** The live table of the route file at {@code location} (a James FileSystem URL), loaded once. */
    public LiveRouteTable table(String location) throws RouteFileException {
        File file = resolve(location);
        String key = file.getAbsolutePath();
        LiveRouteTable table = tables.get(key);
        if (table != null) {
            return table;
        }
        synchronized (tables) {
            table = tables.get(key);
            if (table == null) {
                table = LiveRouteTable.load(file, new RouteFileParser());
                tables.put(key, table);
            }
            return table;
        }
    }

    /** Every route table loaded so far (one per route file), for WebAdmin: listing and reloading. */
    public Collection<LiveRouteTable> tables() {
        return List.copyOf(tables.values());
    }

    public RoundRobin roundRobin() {
        return roundRobin;
    }

    /** Which endpoints failed, until when and why; shared by every mailet of this James. */
    public HostFailures failures() {
        return failures;
    }

    /** Who may try an endpoint now (backoff, probe, slow start); shared by every mailet of this James. */
    public HostAdmission admission() {
        return admission;
    }

    /**
     * Makes a mailet's retry queue visible to the rest of SMTP Routes (WebAdmin, route flush).
     *
     * @throws IllegalStateException when a live mailet already drains the same repository (URLs
     *     compared normalised, see {@link RetryQueueHandle#normalised}): two schedulers would
     *     deliver the same waiting mail twice
     */
    public void registerRetryQueue(RetryQueueHandle handle) {
        RetryQueueHandle previous = retryQueues.putIfAbsent(handle.sameRepository(), handle);
        if (previous != null && previous != handle) {
            throw new IllegalStateException("retryRepository " + handle.repositoryUrl()
                + " is already used by another SmtpRouteDelivery mailet: give each its own");
        }
    }

    public void unregisterRetryQueue(RetryQueueHandle handle) {
        retryQueues.remove(handle.sameRepository(), handle);
    }

    /** The retry queues of the live SmtpRouteDelivery mailets. */
    public Collection<RetryQueueHandle> retryQueues() {
        return List.copyOf(retryQueues.values());
    }

    /** How many mails wait in all live retry queues; an unreadable repository counts as empty. */
    public long retryQueueSize() {
        long size = 0;
        for (RetryQueueHandle handle : retryQueues()) {
            try {
                size += handle.queue().size();
            } catch (MessagingException e) {
                // Rather than breaking the metrics page.
            }
        }
        return size;
    }

    /** The retry queue stored in {@code repositoryUrl}, written as in the mailet's retryRepository or with(out) a trailing slash. */
    public Optional<RetryQueueHandle> retryQueue(String repositoryUrl) {
        return Optional.ofNullable(retryQueues.get(RetryQueueHandle.normalised(repositoryUrl)));
    }

    /** Makes a mailet's node (one of several James nodes sharing its retry store) visible to WebAdmin. */
    public void registerRetryNodes(RetryNodes nodes) {
        retryNodes.add(nodes);
    }

    public void unregisterRetryNodes(RetryNodes nodes) {
        retryNodes.remove(nodes);
    }

    /** The nodes of the live SmtpRouteDelivery mailets that have a retryNodeId. */
    public Collection<RetryNodes> retryNodes() {
        return List.copyOf(retryNodes);
    }

    /** Makes a mailet's connection pool visible to WebAdmin and metrics (pool figures per endpoint). */
    public void registerConnectionPool(ConnectionPool pool) {
        connectionPools.add(pool);
    }

    public void unregisterConnectionPool(ConnectionPool pool) {
        connectionPools.remove(pool);
    }

    /** The connection pools of the live SmtpRouteDelivery mailets. */
    public Collection<ConnectionPool> connectionPools() {
        return List.copyOf(connectionPools);
    }

    /** The pool figures of every live mailet, summed per endpoint ("ip:port"). */
    public Map<String, ConnectionPool.Stats> connectionPoolStats() {
        return ConnectionPool.combinedStats(connectionPools);
    }

    private File resolve(String location) throws RouteFileException {
        try {
            return fileSystem.getFile(location);
        } catch (FileNotFoundException e) {
            throw new RouteFileException(location + ": route file not found");
        }
    }
}
