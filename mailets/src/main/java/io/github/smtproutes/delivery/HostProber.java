package io.github.smtproutes.delivery;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.smtp.SmtpOutcome;

/**
 * Probes, on threads of its own, a host whose backoff has ended: the one session a host that
 * failed last receives before it is trusted with mail again. The probe opens a session without a
 * mail (greeting, EHLO, TLS and AUTH as the route asks): a host still silent costs a probe thread
 * one timeout, not a mail. An opened session is pooled for the next mail, and the verdict goes to
 * {@link HostFailures} like a delivery's: up, or down for the next, longer backoff. Deliveries
 * with nowhere else to go wait for that verdict in {@link HostAdmission}.
 */
public final class HostProber implements AutoCloseable {
    /** Probes at once; more are not needed, as each host is probed by one at a time. */
    private static final int THREADS = 4;
    private static final Logger LOGGER = LoggerFactory.getLogger(HostProber.class);

    private final SmtpHostClient client;
    private final HostFailures failures;
    private final ExecutorService executor;

    public HostProber(SmtpHostClient client, HostFailures failures, String threadPrefix) {
        this.client = client;
        this.failures = failures;
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            task -> {
                Thread thread = new Thread(task, threadPrefix + "-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
    }

    /**
     * Probes {@code host} on the side, holding {@code probe} (the host's one probe turn) until the
     * verdict is in. Returns at once. The turn is given back on every path: if the probe cannot
     * even be started, at once.
     */
    public void probe(HostAddress host, Route route, String domain, HostAdmission.Turn probe) {
        boolean started = false;
        try {
            executor.execute(() -> probeNow(host, route, domain, probe));
            started = true;
        } catch (RejectedExecutionException closed) {
            // Shutting down: the next delivery after a restart probes again.
        } finally {
            if (!started) {
                // Not started (shutting down, or no thread to be had): give the turn back now.
                probe.close();
            }
        }
    }

    private void probeNow(HostAddress host, Route route, String domain, HostAdmission.Turn probe) {
        try {
            Optional<SmtpOutcome> failure = client.probe(host, route, domain);
            if (failure.isEmpty()) {
                failures.answeredForRoute(host.endpoint(), route.domain());
            } else {
                failures.record(host.endpoint(), route.domain(), failure.get());
            }
        } catch (RuntimeException e) {
            // A failure on this side says nothing about the host: no verdict, and the next
            // delivery that finds the host past its backoff probes it again.
            LOGGER.warn("Probe of {} failed on this side", host.endpoint(), e);
        } finally {
            // After the verdict: deliveries waiting for it are woken by this.
            probe.close();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
