package io.github.smtproutes.metrics;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each destination endpoint ("ip:port") did with the transactions it was given: how many it
 * settled (accepted, or refused for good), how many failed (host-level or for a recipient), and
 * the last error. Counters only, for the WebAdmin host view; whether a host is down is the
 * failure memory's business, not this one's. Thread-safe.
 */
public final class HostStatistics {
    private final Clock clock;
    private final ConcurrentHashMap<String, Counters> counters = new ConcurrentHashMap<>();

    public HostStatistics(Clock clock) {
        this.clock = clock;
    }

    public void delivered(String endpoint) {
        Counters of = counters.computeIfAbsent(endpoint, key -> new Counters());
        synchronized (of) {
            of.delivered++;
        }
    }

    public void failed(String endpoint, String reason) {
        Counters of = counters.computeIfAbsent(endpoint, key -> new Counters());
        synchronized (of) {
            of.failed++;
            of.lastError = reason;
            of.lastErrorAt = clock.instant();
        }
    }

    /** The figures of every endpoint seen so far, sorted by endpoint. */
    public Map<String, Snapshot> snapshot() {
        Map<String, Snapshot> snapshot = new TreeMap<>();
        counters.forEach((endpoint, of) -> {
            synchronized (of) {
                snapshot.put(endpoint, new Snapshot(of.delivered, of.failed, of.lastError, of.lastErrorAt));
            }
        });
        return snapshot;
    }

    /** The figures of one endpoint at one moment. */
    public static final class Snapshot {
        public static final Snapshot NONE = new Snapshot(0, 0, null, null);
        public final long delivered;
        public final long failed;
        public final String lastError;
        public final Instant lastErrorAt;

        Snapshot(long delivered, long failed, String lastError, Instant lastErrorAt) {
            this.delivered = delivered;
            this.failed = failed;
            this.lastError = lastError;
            this.lastErrorAt = lastErrorAt;
        }
    }

    private static final class Counters {
        private long delivered;
        private long failed;
        private String lastError;
        private Instant lastErrorAt;
    }
}
