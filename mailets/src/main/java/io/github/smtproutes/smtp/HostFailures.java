package io.github.smtproutes.smtp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.github.smtproutes.log.MailLog;

/**
 * The failure memory of destination hosts, modelled on OkHttp's RouteDatabase: a plain record of
 * which endpoint ("ip:port") failed, until when, and why. A failure of the host itself (refused,
 * silent, dropped, a host-level 4xx) is recorded against the endpoint, for every route. A refusal
 * of a route's TLS or AUTH is recorded against that route's use of the endpoint only: the host
 * answered, so another route with other credentials or another TLS policy is not concerned. Each
 * failure holds for a backoff that starts at {@code initialBackoff} and doubles up to
 * {@code maxBackoff}; an answer clears it. It also knows which endpoints answered since their
 * last failure ("proven"), the input of slow start in {@link HostAdmission}. Deciding who may
 * try a host is not its job. Thread-safe; one instance serves the whole James.
 */
public final class HostFailures {
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(30);
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(10);

    private final Clock clock;
    private final ConcurrentHashMap<Use, Record> records = new ConcurrentHashMap<>();
    private final Set<String> proven = ConcurrentHashMap.newKeySet();
    private final List<Consumer<String>> answeredListeners = new CopyOnWriteArrayList<>();
    private volatile Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    private volatile Duration maxBackoff = DEFAULT_MAX_BACKOFF;

    public HostFailures(Clock clock) {
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
     * Records what one session (a delivery or a probe) says about the host, the one place where
     * an {@link SmtpOutcome} becomes a verdict. A host skipped at the route's connection cap said
     * nothing about itself, and a failure on this side (the message could not be read) is not the
     * host's: neither is recorded.
     */
    public void record(String endpoint, String route, SmtpOutcome outcome) {
        if (outcome.busy() || outcome.localFailure()) {
            return;
        }
        if (outcome.routeUseFailure()) {
            // It greeted and answered EHLO: alive, only this route's TLS or AUTH failed.
            answered(endpoint);
            failedForRoute(endpoint, route, outcome.reply().text());
        } else if (outcome.hostFailure()) {
            failed(endpoint, outcome.reply().text());
        } else {
            // It answered, whatever it thought of this mail or its recipients.
            answeredForRoute(endpoint, route);
        }
    }

    /** A failure of the host itself: down for every route, for the next backoff step. */
    public void failed(String endpoint, String reason) {
        proven.remove(endpoint);
        Failure failure = fail(Use.host(endpoint), reason);
        MailLog.hostDown(endpoint, failure.until, reason);
    }

    /** A refusal of one route's TLS or AUTH: that route's use of the endpoint is down, not the host. */
    public void failedForRoute(String endpoint, String route, String reason) {
        Failure failure = fail(Use.route(endpoint, route), reason);
        MailLog.hostDown(endpoint + " for route " + route, failure.until, reason);
    }

    /** The host answered: its own failure is forgotten and it counts as proven. */
    public void answered(String endpoint) {
        if (answeredHost(endpoint)) {
            answeredListeners.forEach(listener -> listener.accept(endpoint));
        }
    }

    /** The host answered and the route's use of it worked (TLS and AUTH passed): both are forgotten. */
    public void answeredForRoute(String endpoint, String route) {
        boolean routeHadFailed = forget(Use.route(endpoint, route));
        if (routeHadFailed) {
            MailLog.hostUp(endpoint + " for route " + route);
        }
        if (answeredHost(endpoint) || routeHadFailed) {
            answeredListeners.forEach(listener -> listener.accept(endpoint));
        }
    }

    /** Whether the answer is news: the host had failed, or had never answered before. */
    private boolean answeredHost(String endpoint) {
        boolean hadFailed = forget(Use.host(endpoint));
        boolean firstAnswer = proven.add(endpoint);
        if (hadFailed) {
            MailLog.hostUp(endpoint);
        }
        return hadFailed || firstAnswer;
    }

    /**
     * Ends every backoff now (an operator's "deliver now"): each failure is still remembered, so
     * the next delivery that reaches a failed host probes it before mail goes there.
     */
    public void endBackoffs() {
        Instant now = clock.instant();
        for (Record record : records.values()) {
            synchronized (record) {
                if (record.consecutiveFailures > 0 && record.until.isAfter(now)) {
                    record.until = now;
                }
            }
        }
    }

    /** Whether the host, or the route's use of it, is inside its backoff. */
    public boolean isDown(String endpoint, String route) {
        Instant now = clock.instant();
        return holding(endpoint, route).map(failure -> failure.isDown(now)).orElse(false);
    }

    /**
     * The failure that holds for this route's use of the endpoint, in or past its backoff, until
     * an answer clears it: the host's own first, else the route's. Empty when none.
     */
    public Optional<Failure> holding(String endpoint, String route) {
        Optional<Failure> own = failure(Use.host(endpoint));
        return own.isPresent() ? own : failure(Use.route(endpoint, route));
    }

    /** Whether the endpoint answered since its last failure of its own. */
    public boolean isProven(String endpoint) {
        return proven.contains(endpoint);
    }

    /**
     * Calls {@code listener} with the endpoint each time an endpoint that was down, or not yet
     * proven, answers: the moment mail waiting for it is worth a try.
     */
    public void addAnsweredListener(Consumer<String> listener) {
        answeredListeners.add(listener);
    }

    public void removeAnsweredListener(Consumer<String> listener) {
        answeredListeners.remove(listener);
    }

    Duration backoff(int consecutiveFailures) {
        Duration backoff = initialBackoff;
        for (int i = 1; i < consecutiveFailures && backoff.compareTo(maxBackoff) < 0; i++) {
            backoff = backoff.multipliedBy(2);
        }
        return backoff.compareTo(maxBackoff) > 0 ? maxBackoff : backoff;
    }

    /** Every failure not yet cleared by an answer, sorted by endpoint then route (WebAdmin, tests). */
    public List<Failure> failures() {
        return records.values().stream()
            .map(Record::failure)
            .flatMap(Optional::stream)
            .sorted((a, b) -> (a.endpoint + " " + a.route).compareTo(b.endpoint + " " + b.route))
            .collect(Collectors.toList());
    }

    /** Whether the failure is still inside its backoff, now. */
    public boolean isDown(Failure failure) {
        return failure.isDown(clock.instant());
    }

    private Failure fail(Use use, String reason) {
        Record record = records.computeIfAbsent(use, Record::new);
        synchronized (record) {
            record.consecutiveFailures++;
            record.at = clock.instant();
            record.until = record.at.plus(backoff(record.consecutiveFailures));
            record.reason = reason;
            return record.failure().orElseThrow();
        }
    }

    /** Clears a failure; true when there was one (in or past its backoff). */
    private boolean forget(Use use) {
        Record record = records.get(use);
        if (record == null) {
            return false;
        }
        synchronized (record) {
            boolean hadFailed = record.consecutiveFailures > 0;
            record.consecutiveFailures = 0;
            record.until = null;
            record.reason = null;
            record.at = null;
            return hadFailed;
        }
    }

    private Optional<Failure> failure(Use use) {
        Record record = records.get(use);
        return record == null ? Optional.empty() : record.failure();
    }

    /** A failure as a value: which endpoint (and route, for a route's use), how often, until when, why. */
    public static final class Failure {
        public final String endpoint;
        /** The route whose use of the endpoint failed; null for a failure of the host itself. */
        public final String route;
        public final int consecutiveFailures;
        public final Instant until;
        public final String reason;
        public final Instant at;

        Failure(String endpoint, String route, int consecutiveFailures, Instant until, String reason, Instant at) {
            this.endpoint = endpoint;
            this.route = route;
            this.consecutiveFailures = consecutiveFailures;
            this.until = until;
            this.reason = reason;
            this.at = at;
        }

        /** Whether this is a failure of one route's use of the endpoint, not of the host. */
        public boolean isRouteUse() {
            return route != null;
        }

        boolean isDown(Instant now) {
            return until.isAfter(now);
        }

        @Override
        public String toString() {
            return endpoint + (route == null ? "" : " for route " + route) + " failed " + consecutiveFailures + "x until " + until + ": " + reason;
        }
    }

    /** The endpoint alone, or one route's use of it. */
    private static final class Use {
        private final String endpoint;
        private final String route;

        private Use(String endpoint, String route) {
            this.endpoint = endpoint;
            this.route = route;
        }

        static Use host(String endpoint) {
            return new Use(endpoint, null);
        }

        static Use route(String endpoint, String route) {
            return new Use(endpoint, Objects.requireNonNull(route));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Use && ((Use) o).endpoint.equals(endpoint) && Objects.equals(((Use) o).route, route);
        }

        @Override
        public int hashCode() {
            return Objects.hash(endpoint, route);
        }
    }

    /** Mutable state of one use, guarded by its own monitor. */
    private static final class Record {
        private final Use use;
        private int consecutiveFailures;
        private Instant until;
        private String reason;
        private Instant at;

        Record(Use use) {
            this.use = use;
        }

        synchronized Optional<Failure> failure() {
            if (consecutiveFailures == 0) {
                return Optional.empty();
            }
            return Optional.of(new Failure(use.endpoint, use.route, consecutiveFailures, until, reason, at));
        }
    }
}
