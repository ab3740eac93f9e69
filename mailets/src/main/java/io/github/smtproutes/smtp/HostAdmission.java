package io.github.smtproutes.smtp;

import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether a delivery may open a session with an endpoint now: admission and slow start,
 * beside the {@link ConnectionPool} that caps sessions per route and endpoint once a host takes
 * mail. It reads {@link HostFailures} and applies, like Postfix's dead-host and destination
 * concurrency rules:
 * <ul>
 *   <li>a host (or the route's use of it) inside its backoff takes no mail at all;</li>
 *   <li>past its backoff, a host that failed last gets one probe: a session without a mail
 *   ({@code HostProber}), never a queue of real mails;</li>
 *   <li>a proven host (it answered since it last failed) is always admitted;</li>
 *   <li>a host never heard from takes {@link #SLOW_START_SESSIONS} deliveries at once
 *   (Postfix's initial_destination_concurrency), so that a host that accepts TCP but never
 *   answers holds that many spooler threads, not all of them.</li>
 * </ul>
 * While a verdict is pending (first sessions or probe under way), a delivery with nowhere else
 * to go may wait for it, at most {@code verdictWait}, with at most {@code maxWaiters} deliveries
 * waiting across all hosts; once a wait ran out on a host, later deliveries do not wait on it
 * until a session with it ends. So a burst towards a cold, healthy host is delivered as soon as
 * the host answers, and a silent host costs at most one bounded wait. Thread-safe; one instance
 * serves the whole James.
 */
public final class HostAdmission {
    /** Sessions at once with a host never heard from (Postfix: initial_destination_concurrency). */
    public static final int SLOW_START_SESSIONS = 2;
    public static final Duration DEFAULT_VERDICT_WAIT = Duration.ofSeconds(10);
    public static final int DEFAULT_MAX_WAITERS = 16;

    private final HostFailures failures;
    private final ConcurrentHashMap<String, Gate> gates = new ConcurrentHashMap<>();
    private volatile Duration verdictWait = DEFAULT_VERDICT_WAIT;
    private volatile Semaphore waiters = new Semaphore(DEFAULT_MAX_WAITERS);

    public HostAdmission(HostFailures failures) {
        this.failures = failures;
    }

    /** Sets the wait for a pending verdict (mailet parameters hostVerdictWait/hostVerdictWaiters). */
    public void configureWait(Duration wait, int maxWaiters) {
        if (wait.isNegative() || maxWaiters < 0) {
            throw new IllegalArgumentException("hostVerdictWait and hostVerdictWaiters must not be negative, got " + wait + " and " + maxWaiters);
        }
        this.verdictWait = wait;
        this.waiters = new Semaphore(maxWaiters);
    }

    public HostFailures failures() {
        return failures;
    }

    /**
     * Asks for a turn with {@code endpoint} for a delivery of {@code route}. With {@code mayWait}
     * (no equal host can take the mail instead), a pending verdict is awaited within the bounds;
     * else the answer is immediate. A {@link Turn#isProbe() probe} turn is for a session without
     * a mail. Close every turn when its session is over.
     */
    public Turn admit(String endpoint, String route, boolean mayWait) {
        Gate gate = gates.computeIfAbsent(endpoint, Gate::new);
        // Monotonic time for the wait: the clock may be a test's hand-moved one.
        long deadline = System.nanoTime() + verdictWait.toNanos();
        boolean waiting = false;
        Semaphore waitPermits = waiters;
        synchronized (gate) {
            try {
                while (true) {
                    Turn turn = gate.decide(route);
                    boolean pending = turn.kind == Kind.PROVING || turn.kind == Kind.PROBING;
                    if (!pending || !mayWait || gate.overdue) {
                        return turn;
                    }
                    if (!waiting && !waitPermits.tryAcquire()) {
                        return turn.because("too many deliveries waiting for host verdicts");
                    }
                    waiting = true;
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        // This host is slow to answer: later deliveries do not wait on it.
                        gate.overdue = true;
                        return turn.because("no verdict within " + verdictWait.toMillis() + " ms");
                    }
                    gate.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Turn.refused(Kind.PROVING, "interrupted while waiting for a host verdict");
            } finally {
                if (waiting) {
                    waitPermits.release();
                }
            }
        }
    }

    /** Whether a delivery is admitted, probes, or why it is not. */
    public enum Kind {
        /** A session with the mail. */
        SESSION,
        /** A session without a mail, to learn whether a host that failed is back. */
        PROBE,
        /** The host, or the route's use of it, is inside its backoff. */
        DOWN,
        /** It failed last and its probe is under way. */
        PROBING,
        /** Never heard from, and its first sessions are under way. */
        PROVING
    }

    /** One delivery's turn with an endpoint; close it when the session is over (closing twice is harmless). */
    public static final class Turn implements AutoCloseable {
        private final Kind kind;
        private final String reason;
        private final Optional<String> lastFailure;
        private final Gate gate;
        private final Runnable release;
        private boolean closed;

        private Turn(Kind kind, String reason, Optional<String> lastFailure, Gate gate, Runnable release) {
            this.kind = kind;
            this.reason = reason;
            this.lastFailure = lastFailure;
            this.gate = gate;
            this.release = release;
        }

        private Turn(Kind kind, String reason, Gate gate, Runnable release) {
            this(kind, reason, Optional.empty(), gate, release);
        }

        /** A turn at a proven host: nothing to give back. */
        static final Turn FREE = new Turn(Kind.SESSION, "", null, null);

        static Turn refused(Kind kind, String reason) {
            return new Turn(kind, reason, null, null);
        }

        static Turn refusedAfter(Kind kind, String reason, HostFailures.Failure failure) {
            return new Turn(kind, reason, Optional.of(failure.reason), null, null);
        }

        public Kind kind() {
            return kind;
        }

        public boolean isAdmitted() {
            return kind == Kind.SESSION;
        }

        public boolean isProbe() {
            return kind == Kind.PROBE;
        }

        /** Why the delivery was not admitted (empty when it was). */
        public String reason() {
            return reason;
        }

        /** For a host not admitted because it failed: the reply (or its absence) of that failure. */
        public Optional<String> lastFailure() {
            return lastFailure;
        }

        Turn because(String more) {
            return new Turn(kind, reason + ", " + more, lastFailure, null, null);
        }

        @Override
        public void close() {
            if (gate == null) {
                return;
            }
            synchronized (gate) {
                if (closed) {
                    return;
                }
                closed = true;
                if (release != null) {
                    release.run();
                }
                // A session ended: its verdict (if any) is recorded, or a place freed.
                gate.overdue = false;
                gate.notifyAll();
            }
        }
    }

    /** The turns of one endpoint, guarded by its own monitor. */
    private final class Gate {
        private final String endpoint;
        private final Set<String> probing = new HashSet<>();
        private int firstSessions;
        private boolean overdue;

        Gate(String endpoint) {
            this.endpoint = endpoint;
        }

        /** Called holding this monitor; the rules of the class comment, in order. */
        Turn decide(String route) {
            Optional<HostFailures.Failure> failure = failures.holding(endpoint, route);
            if (failure.isPresent()) {
                return afterFailure(failure.get());
            }
            if (failures.isProven(endpoint)) {
                return Turn.FREE;
            }
            if (firstSessions < SLOW_START_SESSIONS) {
                firstSessions++;
                return new Turn(Kind.SESSION, "", this, () -> firstSessions--);
            }
            return Turn.refused(Kind.PROVING, endpoint + " not proven yet, its first sessions under way");
        }

        private Turn afterFailure(HostFailures.Failure failure) {
            String use = failure.isRouteUse() ? endpoint + " for route " + failure.route : endpoint;
            if (failures.isDown(failure)) {
                return Turn.refusedAfter(Kind.DOWN, use + " down until " + failure.until + " (" + failure.reason + ")", failure);
            }
            if (probing.add(use)) {
                return new Turn(Kind.PROBE, "", this, () -> probing.remove(use));
            }
            return Turn.refusedAfter(Kind.PROBING, use + " failed last and is being probed", failure);
        }
    }
}
