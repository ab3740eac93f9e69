package io.github.smtproutes.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.smtproutes.routes.Route;

/**
 * Keeps SMTP sessions open between mails to the same host, and bounds how many deliveries talk
 * to one host at once. The two halves:
 * <ul>
 *   <li><b>Reuse.</b> After a transaction a healthy session goes back to an idle stack, keyed by
 *   {@link PoolKey} (endpoint plus the route's security settings, so that a session opened for
 *   one TLS mode or AUTH user never carries another route's mail). The next delivery to that key
 *   takes the most recently used one. A session idle longer than {@code idleTime}, or that carried
 *   {@code maxMessages} mails, is closed with QUIT; a small reaper thread closes idle ones.</li>
 *   <li><b>Concurrency.</b> Each route may hold at most its {@code maxConnectionsPerHost} (else
 *   {@code defaultMaxPerHost}) deliveries per endpoint; a delivery waits at most {@code busyWait}
 *   for a place, then the caller treats the host as busy and moves on.</li>
 * </ul>
 * Whether a host may be tried at all (backoff, probe, slow start while it has not answered yet)
 * is decided before, by {@link HostAdmission}; the cap here applies to hosts it admitted.
 * Thread-safe. One pool per mailet instance; {@link #close()} ends every idle session.
 */
public final class ConnectionPool implements AutoCloseable {
    public static final Duration DEFAULT_IDLE_TIME = Duration.ofSeconds(5);
    public static final int DEFAULT_MAX_MESSAGES = 100;
    // Per route and endpoint. Half of James's 20 spooler threads (the shipped mailetcontainer.xml):
    // one route whose host stalls can hold at most half the spool until the first write or reply
    // bound frees them, so local delivery and other routes keep threads.
    public static final int DEFAULT_MAX_PER_HOST = 10;
    public static final Duration DEFAULT_BUSY_WAIT = Duration.ofSeconds(10);

    private final Duration idleTime;
    private final int maxMessages;
    private final int defaultMaxPerHost;
    private final Duration busyWait;
    private final Clock clock;
    private final ConcurrentHashMap<PoolKey, Deque<IdleConnection>> idle = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Semaphore> limits = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, EndpointCounters> counters = new ConcurrentHashMap<>();
    private final ScheduledExecutorService reaper;
    private volatile boolean closed;

    public ConnectionPool(Duration idleTime, int maxMessages, int defaultMaxPerHost, Duration busyWait, Clock clock) {
        this.idleTime = idleTime;
        this.maxMessages = maxMessages;
        this.defaultMaxPerHost = defaultMaxPerHost;
        this.busyWait = busyWait;
        this.clock = clock;
        this.reaper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "smtp-routes-pool-reaper");
            // A daemon: an idle-connection sweeper must never keep James from exiting.
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(250, Math.min(idleTime.toMillis() / 2, 5_000));
        reaper.scheduleWithFixedDelay(this::closeExpired, period, period, TimeUnit.MILLISECONDS);
    }

    public static ConnectionPool withDefaults(Clock clock) {
        return new ConnectionPool(DEFAULT_IDLE_TIME, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_PER_HOST, DEFAULT_BUSY_WAIT, clock);
    }

    /**
     * A place for one delivery to {@code host} on {@code route}, waiting at most the busy wait.
     * Empty when the route already holds its maximum of deliveries to that endpoint.
     */
    public Optional<Permit> permit(HostAddress host, Route route) {
        int max = route.maxConnectionsPerHost().orElse(defaultMaxPerHost);
        // Per route and endpoint; the cap is part of the key so that a reloaded route with another
        // cap gets a fresh semaphore instead of resizing one that deliveries hold.
        Semaphore limit = limits.computeIfAbsent(route.domain() + "|" + host.endpoint() + "|" + max, key -> new Semaphore(max, true));
        try {
            if (!limit.tryAcquire(busyWait.toMillis(), TimeUnit.MILLISECONDS)) {
                countersOf(host.endpoint()).busy.incrementAndGet();
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        countersOf(host.endpoint()).inUse.incrementAndGet();
        return Optional.of(new Permit(host.endpoint(), limit));
    }

    /**
     * The most recently returned idle session for this host and route, if one is still fresh and
     * its socket still open; a session this side already saw closed is dropped on the way.
     */
    public Optional<SmtpConnection> take(HostAddress host, Route route) {
        Deque<IdleConnection> stack = idle.get(PoolKey.of(host, route));
        if (stack == null) {
            return Optional.empty();
        }
        List<IdleConnection> expired = new ArrayList<>();
        List<SmtpConnection> closed = new ArrayList<>();
        Optional<SmtpConnection> taken = Optional.empty();
        synchronized (stack) {
            while (!stack.isEmpty() && taken.isEmpty()) {
                IdleConnection candidate = stack.pollFirst();
                countersOf(host.endpoint()).idle.decrementAndGet();
                if (candidate.expired(clock.instant(), idleTime)) {
                    expired.add(candidate);
                } else if (!candidate.connection.isOpen()) {
                    closed.add(candidate.connection);
                } else {
                    taken = Optional.of(candidate.connection);
                }
            }
        }
        expired.forEach(this::quit);
        closed.forEach(SmtpConnection::abort);
        taken.ifPresent(connection -> countersOf(host.endpoint()).reused.incrementAndGet());
        return taken;
    }

    /** Counts a session the caller had to open because no idle one was available. */
    public void opened(HostAddress host) {
        countersOf(host.endpoint()).opened.incrementAndGet();
    }

    /**
     * Takes back a session whose last transaction left it usable: pooled, or closed with QUIT
     * when it carried its share of mails or the pool is closed.
     */
    public void giveBack(HostAddress host, Route route, SmtpConnection connection) {
        if (closed || connection.transactions() >= maxMessages) {
            // Like Postfix's smtp_connection_reuse_count_limit: spread load, bound session age.
            connection.close();
            return;
        }
        Deque<IdleConnection> stack = idle.computeIfAbsent(PoolKey.of(host, route), key -> new ArrayDeque<>());
        synchronized (stack) {
            stack.addFirst(new IdleConnection(host.endpoint(), connection, clock.instant()));
            countersOf(host.endpoint()).idle.incrementAndGet();
        }
        if (closed) {
            closeAllIdle();
        }
    }

    /** Pool figures per endpoint ("ip:port"), sorted by endpoint, for WebAdmin and metrics. */
    public Map<String, Stats> stats() {
        Map<String, Stats> stats = new TreeMap<>();
        counters.forEach((endpoint, count) -> stats.put(endpoint, count.snapshot()));
        return stats;
    }

    /** The figures of several pools (one per mailet) summed per endpoint, sorted by endpoint. */
    public static Map<String, Stats> combinedStats(Collection<ConnectionPool> pools) {
        Map<String, Stats> combined = new TreeMap<>();
        for (ConnectionPool pool : pools) {
            pool.stats().forEach((endpoint, stats) -> combined.merge(endpoint, stats, Stats::plus));
        }
        return combined;
    }

    public Duration idleTime() {
        return idleTime;
    }

    public int maxMessages() {
        return maxMessages;
    }

    /** How long a delivery waits for a place at a host before treating it as busy. */
    public Duration busyWait() {
        return busyWait;
    }

    /** Closes every idle session (QUIT) and stops the reaper; sessions in use close when given back. */
    @Override
    public void close() {
        closed = true;
        reaper.shutdownNow();
        closeAllIdle();
    }

    private void closeExpired() {
        Instant now = clock.instant();
        List<IdleConnection> expired = new ArrayList<>();
        for (Deque<IdleConnection> stack : idle.values()) {
            synchronized (stack) {
                for (Iterator<IdleConnection> it = stack.iterator(); it.hasNext(); ) {
                    IdleConnection candidate = it.next();
                    if (candidate.expired(now, idleTime)) {
                        it.remove();
                        countersOf(candidate.endpoint).idle.decrementAndGet();
                        expired.add(candidate);
                    }
                }
            }
        }
        expired.forEach(this::quit);
    }

    private void closeAllIdle() {
        List<IdleConnection> all = new ArrayList<>();
        for (Deque<IdleConnection> stack : idle.values()) {
            synchronized (stack) {
                all.addAll(stack);
                stack.forEach(candidate -> countersOf(candidate.endpoint).idle.decrementAndGet());
                stack.clear();
            }
        }
        all.forEach(this::quit);
    }

    private void quit(IdleConnection idleConnection) {
        try {
            idleConnection.connection.close();
        } catch (RuntimeException e) {
            // Closing a session that is already gone: nothing more to release.
        }
    }

    private EndpointCounters countersOf(String endpoint) {
        return counters.computeIfAbsent(endpoint, key -> new EndpointCounters());
    }

    /** One delivery's place at an endpoint; release it exactly once, when the delivery ends. */
    public final class Permit implements AutoCloseable {
        private final String endpoint;
        private final Semaphore limit;
        private boolean released;

        private Permit(String endpoint, Semaphore limit) {
            this.endpoint = endpoint;
            this.limit = limit;
        }

        @Override
        public void close() {
            if (!released) {
                released = true;
                countersOf(endpoint).inUse.decrementAndGet();
                limit.release();
            }
        }
    }

    /** Pool figures of one endpoint at one moment. */
    public static final class Stats {
        public final int inUse;
        public final int idle;
        public final long opened;
        public final long reused;
        public final long busy;

        Stats(int inUse, int idle, long opened, long reused, long busy) {
            this.inUse = inUse;
            this.idle = idle;
            this.opened = opened;
            this.reused = reused;
            this.busy = busy;
        }

        Stats plus(Stats other) {
            return new Stats(inUse + other.inUse, idle + other.idle, opened + other.opened, reused + other.reused, busy + other.busy);
        }

        @Override
        public String toString() {
            return "inUse=" + inUse + " idle=" + idle + " opened=" + opened + " reused=" + reused + " busy=" + busy;
        }
    }

    /** Live counters of one endpoint. */
    private static final class EndpointCounters {
        private final AtomicInteger inUse = new AtomicInteger();
        private final AtomicInteger idle = new AtomicInteger();
        private final AtomicLong opened = new AtomicLong();
        private final AtomicLong reused = new AtomicLong();
        private final AtomicLong busy = new AtomicLong();

        Stats snapshot() {
            return new Stats(inUse.get(), idle.get(), opened.get(), reused.get(), busy.get());
        }
    }

    /** A session waiting in the pool since {@code since}. */
    private static final class IdleConnection {
        private final String endpoint;
        private final SmtpConnection connection;
        private final Instant since;

        IdleConnection(String endpoint, SmtpConnection connection, Instant since) {
            this.endpoint = endpoint;
            this.connection = connection;
            this.since = since;
        }

        boolean expired(Instant now, Duration idleTime) {
            return !since.plus(idleTime).isAfter(now);
        }
    }
}
