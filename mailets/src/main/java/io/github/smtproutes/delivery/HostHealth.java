package io.github.smtproutes.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import io.github.smtproutes.log.MailLog;

/**
 * What this James remembers about each destination endpoint (ip:port): whether it is down, until
 * when and why, and its counters. A host that refused, stayed silent, dropped the session or gave
 * a host-level 4xx is marked down for a backoff that starts at {@code initialBackoff} and doubles
 * up to {@code maxBackoff}; a success marks it up at once. Like OkHttp's RouteDatabase, down hosts
 * are postponed by the planner, never dropped. Thread-safe; one instance serves the whole James.
 */
public final class HostHealth {
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(10);

    private final Clock clock;
    private final ConcurrentHashMap<String, HostState> states = new ConcurrentHashMap<>();
    private volatile Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private volatile Duration maxBackoff = DEFAULT_MAX_BACKOFF;

    public HostHealth(Clock clock) {
        this.clock = clock;
    }

    public void configureBackoff(Duration initial, Duration max) {
        this.initialBackoff = initial;
        this.maxBackoff = max;
    }

    public boolean isDown(String endpoint) {
        HostState state = states.get(endpoint);
        return state != null && state.downUntil().map(until -> until.isAfter(clock.instant())).orElse(false);
    }

    public void recordSuccess(String endpoint) {
        HostState state = states.computeIfAbsent(endpoint, HostState::new);
        boolean wasDown;
        synchronized (state) {
            wasDown = state.consecutiveFailures > 0 && state.downUntil != null;
            state.delivered++;
            state.consecutiveFailures = 0;
            state.downUntil = null;
        }
        if (wasDown) {
            MailLog.hostUp(endpoint);
        }
    }

    /** A failure of the host itself: marks it down for the next backoff step. */
    public void recordHostFailure(String endpoint, String reason) {
        HostState state = states.computeIfAbsent(endpoint, HostState::new);
        Instant until;
        synchronized (state) {
            state.failed++;
            state.consecutiveFailures++;
            state.lastError = reason;
            state.lastErrorAt = clock.instant();
            until = state.lastErrorAt.plus(backoff(state.consecutiveFailures));
            state.downUntil = until;
        }
        MailLog.hostDown(endpoint, until, reason);
    }

    /** A failure that concerns one mail or recipient, not the host: counted, host stays up. */
    public void recordMailFailure(String endpoint, String reason) {
        HostState state = states.computeIfAbsent(endpoint, HostState::new);
        synchronized (state) {
            state.failed++;
            state.lastError = reason;
            state.lastErrorAt = clock.instant();
        }
    }

    Duration backoff(int consecutiveFailures) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < consecutiveFailures && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    public Map<String, HostState.Snapshot> snapshot() {
        Instant now = clock.instant();
        return states.values().stream()
            .collect(Collectors.toMap(HostState::endpoint, state -> state.snapshot(now)));
    }

    /** Mutable per-endpoint state, guarded by its own monitor. */
    public static final class HostState {
        private final String endpoint;
        private Instant downUntil;
        private int consecutiveFailures;
        private long delivered;
        private long failed;
        private String lastError;
        private Instant lastErrorAt;

        HostState(String endpoint) {
            this.endpoint = endpoint;
        }

        String endpoint() {
            return endpoint;
        }

        synchronized Optional<Instant> downUntil() {
            return Optional.ofNullable(downUntil);
        }

        synchronized Snapshot snapshot(Instant now) {
            boolean down = downUntil != null && downUntil.isAfter(now);
            return new Snapshot(endpoint, down, down ? downUntil : null, consecutiveFailures, delivered, failed, lastError, lastErrorAt);
        }

        /** An immutable copy for reports (WebAdmin, tests). */
        public static final class Snapshot {
            public final String endpoint;
            public final boolean down;
            public final Instant downUntil;
            public final int consecutiveFailures;
            public final long delivered;
            public final long failed;
            public final String lastError;
            public final Instant lastErrorAt;

            Snapshot(String endpoint, boolean down, Instant downUntil, int consecutiveFailures, long delivered, long failed, String lastError, Instant lastErrorAt) {
                this.endpoint = endpoint;
                this.down = down;
                this.downUntil = downUntil;
                this.consecutiveFailures = consecutiveFailures;
                this.delivered = delivered;
                this.failed = failed;
                this.lastError = lastError;
                this.lastErrorAt = lastErrorAt;
            }
        }
    }
}
