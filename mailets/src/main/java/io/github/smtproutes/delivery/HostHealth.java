package io.github.smtproutes.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.github.smtproutes.log.MailLog;

/**
 * What this James remembers about each destination endpoint (ip:port): whether it is down, until
 * when and why, and its counters. A host that refused, stayed silent, dropped the session or gave
 * a host-level 4xx is marked down for a backoff that starts at {@code initialBackoff} and doubles
 * up to {@code maxBackoff}; a success marks it up at once. Like OkHttp's RouteDatabase, down hosts
 * are postponed by the planner, never dropped. A host that failed is probed by one delivery at a
 * time, and a host not yet proven takes only a few at once ({@link #admit}): while those wait on
 * a silent host, the other deliveries skip it instead of each tying up a spooler thread for a
 * full timeout. Thread-safe; one instance serves the whole James.
 */
public final class HostHealth {
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(10);
    /** Deliveries at once to a host that has not answered yet (Postfix: initial_destination_concurrency). */
    public static final int UNPROVEN_CONCURRENCY = 2;

    private final Clock clock;
    private final ConcurrentHashMap<String, HostState> states = new ConcurrentHashMap<>();
    private volatile Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private volatile Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private final CopyOnWriteArrayList<Consumer<String>> answeredListeners = new CopyOnWriteArrayList<>();

    public HostHealth(Clock clock) {
        this.clock = clock;
    }

    /** Sets the backoff of every host of this James (mailet parameters hostDownInitial/hostDownMax). */
    public void configureBackoff(Duration initial, Duration max) {
        if (initial.isZero() || initial.isNegative() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("host-down backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.initialBackoff = initial;
        this.maxBackoff = max;
    }

    public Duration initialBackoff() {
        return initialBackoff;
    }

    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * Asks to try {@code endpoint} now, without waiting. The rules, like Postfix's destination
     * concurrency slow start:
     * <ul>
     *   <li>a proven host (it answered since it last failed) is always admitted;</li>
     *   <li>a host not proven yet takes {@link #UNPROVEN_CONCURRENCY} deliveries at once, so that a
     *   host that accepts TCP but never answers holds that many spooler threads, not all of them
     *   (see {@link #isProving});</li>
     *   <li>a host whose last session failed (down, or its backoff just ended) takes one delivery,
     *   the probe: the others move on, as its verdict is most likely "still down".</li>
     * </ul>
     * Empty when the host takes no more deliveries now. Close the attempt when the session is over.
     */
    public Optional<Attempt> admit(String endpoint) {
        HostState state = states.computeIfAbsent(endpoint, HostState::new);
        synchronized (state) {
            return state.tryAdmit();
        }
    }

    /** Whether the host has not answered yet and its first few deliveries are under way. */
    public boolean isProving(String endpoint) {
        HostState state = states.get(endpoint);
        if (state == null) {
            return false;
        }
        synchronized (state) {
            return state.consecutiveFailures == 0 && !state.proven;
        }
    }

    public boolean isDown(String endpoint) {
        HostState state = states.get(endpoint);
        return state != null && state.downUntil().map(until -> until.isAfter(clock.instant())).orElse(false);
    }

    /**
     * Calls {@code listener} with the endpoint ("ip:port") each time an endpoint that was down or
     * not yet proven records a success: mails waiting for it are worth retrying now.
     */
    public void addAnsweredListener(Consumer<String> listener) {
        answeredListeners.add(listener);
    }

    public void removeAnsweredListener(Consumer<String> listener) {
        answeredListeners.remove(listener);
    }

    public void recordSuccess(String endpoint) {
        HostState state = states.computeIfAbsent(endpoint, HostState::new);
        boolean wasDown;
        boolean answeredAgain;
        synchronized (state) {
            answeredAgain = state.consecutiveFailures > 0 || !state.proven;
            wasDown = state.consecutiveFailures > 0 && state.downUntil != null;
            state.delivered++;
            state.consecutiveFailures = 0;
            state.downUntil = null;
            state.proven = true;
        }
        if (wasDown) {
            MailLog.hostUp(endpoint);
        }
        if (answeredAgain) {
            answeredListeners.forEach(listener -> listener.accept(endpoint));
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
            state.proven = false;
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
            // It answered: alive, whatever it thought of this mail.
            if (state.consecutiveFailures == 0) {
                state.proven = true;
            }
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

    /** One delivery's turn with a host: free, one of the few at an unproven host, or the probe. */
    public static final class Attempt implements AutoCloseable {
        static final Attempt FREE = new Attempt(null, false);
        private final HostState state;
        private final boolean probe;

        private Attempt(HostState state, boolean probe) {
            this.state = state;
            this.probe = probe;
        }

        /** Whether this is the one delivery let through to a host whose last session failed. */
        public boolean isProbe() {
            return probe;
        }

        @Override
        public void close() {
            if (state == null) {
                return;
            }
            synchronized (state) {
                if (probe) {
                    state.probing = false;
                } else {
                    state.unprovenInFlight--;
                }
            }
        }
    }

    /** Mutable per-endpoint state, guarded by its own monitor. */
    public static final class HostState {
        private final String endpoint;
        private Instant downUntil;
        private int consecutiveFailures;
        private boolean probing;
        private boolean proven;
        private int unprovenInFlight;
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

        /** Called holding this monitor; see {@link HostHealth#admit}. */
        private Optional<Attempt> tryAdmit() {
            if (consecutiveFailures > 0) {
                if (probing) {
                    return Optional.empty();
                }
                probing = true;
                return Optional.of(new Attempt(this, true));
            }
            if (proven) {
                return Optional.of(Attempt.FREE);
            }
            if (unprovenInFlight >= UNPROVEN_CONCURRENCY) {
                return Optional.empty();
            }
            unprovenInFlight++;
            return Optional.of(new Attempt(this, false));
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
