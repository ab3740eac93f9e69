package io.github.smtproutes.smtp;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.routes.Route;

/**
 * Asks one destination host whether it takes one recipient (SMTP call-ahead), on the project's
 * own SMTP sessions: {@link SmtpConnection#open} (connect, greeting, EHLO, STARTTLS and AUTH as
 * the route says) and {@link SmtpConnection#verifyRecipient}. Sessions are kept between
 * questions in a {@link ConnectionPool} of their own (never mixed with delivery sessions), and
 * each host has at most {@code maxPerHost} call-ahead sessions at once, so that a burst of
 * unknown recipients never floods an inside server. Every wait is bounded by the caller's
 * budget. Judgement is left to {@link OutcomeClassifier#classifyCallAhead}. Thread-safe.
 */
public final class CallAheadClient implements AutoCloseable {
    private final Supplier<String> heloName;
    private final int maxPerHost;
    private final ConnectionPool pool;
    private final ConcurrentHashMap<String, Semaphore> limits = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicLong> busy = new ConcurrentHashMap<>();

    /** @param heloName the EHLO name, asked for when a session opens (it may need a DNS lookup) */
    public CallAheadClient(Supplier<String> heloName, int maxPerHost, ConnectionPool pool) {
        this.heloName = heloName;
        this.maxPerHost = maxPerHost;
        this.pool = pool;
    }

    /**
     * Asks {@code host} about {@code recipient}, within {@code budget}.
     *
     * @param placeWait how long to wait for a free call-ahead session with this host (at most the
     *     budget); past it the host counts as busy and the caller may ask the next one
     */
    public CallAheadAnswer ask(HostAddress host, Route route, String domain, MailAddress recipient, Duration budget, Duration placeWait) {
        Semaphore limit = limits.computeIfAbsent(host.endpoint(), key -> new Semaphore(maxPerHost, true));
        if (!acquire(limit, placeWait)) {
            busy.computeIfAbsent(host.endpoint(), key -> new AtomicLong()).incrementAndGet();
            return new CallAheadAnswer(CallAheadAnswer.Verdict.NO_ANSWER,
                SmtpReply.none("host busy: " + maxPerHost + " call-ahead sessions already open"), host.endpoint());
        }
        try {
            Optional<CallAheadAnswer> onPooled = askOnPooledSession(host, route, recipient, budget);
            return onPooled.isPresent() ? onPooled.get() : askOnNewSession(host, route, domain, recipient, budget);
        } finally {
            limit.release();
        }
    }

    /**
     * An idle session's answer; empty when there was none, or when it turned out closed by the
     * server (no reply, or 421, before RCPT was answered): that says nothing about the host, so
     * the question goes to a fresh session, as a delivery on a stale pooled session does.
     */
    private Optional<CallAheadAnswer> askOnPooledSession(HostAddress host, Route route, MailAddress recipient, Duration budget) {
        Optional<SmtpConnection> pooled = pool.take(host, route);
        if (pooled.isEmpty()) {
            return Optional.empty();
        }
        SmtpConnection connection = pooled.get();
        SessionTrace trace = new SessionTrace(host.endpoint(), List.of(recipient));
        boolean clean = connection.verifyRecipient(recipient, budget, trace);
        boolean closedByServer = trace.phase() == SmtpPhase.MAIL
            && (!trace.finalReply().hasCode() || trace.finalReply().code() == 421);
        if (closedByServer) {
            connection.abort();
            return Optional.empty();
        }
        finish(host, route, connection, clean);
        return Optional.of(OutcomeClassifier.classifyCallAhead(trace));
    }

    private CallAheadAnswer askOnNewSession(HostAddress host, Route route, String domain, MailAddress recipient, Duration budget) {
        SessionTrace trace = new SessionTrace(host.endpoint(), List.of(recipient));
        ClientSettings settings = new ClientSettings(heloName.get(), budget, budget);
        Optional<SmtpConnection> opened = SmtpConnection.open(host, route, settings, domain, trace);
        if (opened.isEmpty()) {
            return OutcomeClassifier.classifyCallAhead(trace);
        }
        pool.opened(host);
        SmtpConnection connection = opened.get();
        boolean clean = connection.verifyRecipient(recipient, budget, trace);
        finish(host, route, connection, clean);
        return OutcomeClassifier.classifyCallAhead(trace);
    }

    private void finish(HostAddress host, Route route, SmtpConnection connection, boolean clean) {
        if (clean && connection.isOpen()) {
            pool.giveBack(host, route, connection);
        } else {
            connection.abort();
        }
    }

    private static boolean acquire(Semaphore limit, Duration wait) {
        try {
            return limit.tryAcquire(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public int maxPerHost() {
        return maxPerHost;
    }

    /** Call-ahead session figures per endpoint ("ip:port"): idle, opened, reused (see {@link #busyCounts()}). */
    public Map<String, ConnectionPool.Stats> stats() {
        return pool.stats();
    }

    /** How many questions found their host at its call-ahead session limit, per endpoint. */
    public Map<String, Long> busyCounts() {
        Map<String, Long> counts = new TreeMap<>();
        busy.forEach((endpoint, count) -> counts.put(endpoint, count.get()));
        return counts;
    }

    /** Ends every idle session (QUIT). */
    @Override
    public void close() {
        pool.close();
    }
}
