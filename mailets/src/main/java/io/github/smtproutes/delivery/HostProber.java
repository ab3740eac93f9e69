package io.github.smtproutes.delivery;

import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Probes, on threads of its own, a host whose backoff has ended, when an equal host of the same
 * priority can take the mail meanwhile. The probe opens a session without a mail (greeting, EHLO,
 * TLS and AUTH as the route asks): a host still silent then costs a probe thread one timeout,
 * instead of costing a mail that timeout before it fails over. An opened session is pooled for
 * the next mail, and the verdict goes to {@link HostHealth} like a delivery's: up, or down for
 * the next, longer backoff. Without an equal host, the next mail itself is the probe:
 * it has nowhere better to go.
 */
public final class HostProber implements AutoCloseable {
    /** Probes at once; more are not needed, as each host is probed by one at a time. */
    private static final int THREADS = 4;

    private final SmtpHostClient client;
    private final HostHealth health;
    private final ExecutorService executor;

    public HostProber(SmtpHostClient client, HostHealth health, String threadPrefix) {
        this.client = client;
        this.health = health;
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
     * verdict is in. Returns at once.
     */
    public void probe(HostAddress host, Route route, String domain, HostHealth.Attempt probe) {
        try {
            executor.execute(() -> {
                try (probe) {
                    Optional<SmtpReply> failure = client.probe(host, route, domain);
                    if (failure.isEmpty()) {
                        health.recordSuccess(host.endpoint());
                    } else {
                        health.recordHostFailure(host.endpoint(), failure.get().text());
                    }
                } catch (RuntimeException e) {
                    // Not a verdict on the host, but it must not stay "being probed" without one.
                    health.recordHostFailure(host.endpoint(), "probe failed: " + e);
                }
            });
        } catch (RejectedExecutionException closed) {
            // Shutting down: give the turn back; the next delivery after a restart probes again.
            probe.close();
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
