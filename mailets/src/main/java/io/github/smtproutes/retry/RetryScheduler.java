package io.github.smtproutes.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes due mails out of the {@link RetryQueue} and delivers them again. One ticker thread wakes
 * every {@link Settings#interval()} (or at once on {@link #wakeUp()}), picks at most
 * {@link Settings#batch()} due keys from the key names alone, and hands them to a pool of
 * {@link Settings#threads()} workers; it waits for the batch before picking the next, so at most
 * one batch of mails is in memory. Each mail is settled by the {@link Redelivery} (the mailet's
 * route logic, which stores remaining transient failures back under a new key), recipients whose
 * route disappeared go back to James, and only then is the old key removed: a crash anywhere
 * leaves the mail stored at least once (at-least-once delivery).
 */
public final class RetryScheduler {
    /** How long a mail whose retry threw waits before the next try. */
    static final Duration ERROR_DELAY = Duration.ofMinutes(1);
    private static final Logger LOGGER = LoggerFactory.getLogger(RetryScheduler.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final RetryQueue queue;
    private final Redelivery redelivery;
    private final ReturnToJames returnToJames;
    private final Clock clock;
    private final Settings settings;
    private final Set<String> flushRequests = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Instant> lastFlush = new ConcurrentHashMap<>();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private ScheduledExecutorService ticker;
    private ExecutorService workers;
    private volatile java.util.function.BooleanSupplier mayRetry = () -> true;

    /** Delivers a retried mail through the routes; afterwards the mail holds only recipients without a route. */
    @FunctionalInterface
    public interface Redelivery {
        void redeliver(Mail mail) throws MessagingException;
    }

    /** Hands a mail back to James's processing (root), for recipients whose route is gone. */
    @FunctionalInterface
    public interface ReturnToJames {
        void send(Mail mail) throws MessagingException;
    }

    public RetryScheduler(RetryQueue queue, Redelivery redelivery, ReturnToJames returnToJames, Clock clock, Settings settings) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
        this.returnToJames = Objects.requireNonNull(returnToJames, "returnToJames");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    public RetryQueue queue() {
        return queue;
    }

    /**
     * Retries only while {@code condition} holds, e.g. while this node holds its lease among
     * several nodes: a node that lost it may have its queue adopted by another right now.
     */
    public void retryOnlyWhile(java.util.function.BooleanSupplier condition) {
        this.mayRetry = Objects.requireNonNull(condition, "condition");
    }

    public Settings settings() {
        return settings;
    }

    /** Starts ticking; the first tick runs at once, so mails left by a previous run are found at start. */
    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        int instance = INSTANCES.incrementAndGet();
        workers = Executors.newFixedThreadPool(settings.threads(), named("smtp-routes-retry-" + instance + "-worker-"));
        ticker = Executors.newSingleThreadScheduledExecutor(named("smtp-routes-retry-" + instance + "-ticker-"));
        ticker.scheduleWithFixedDelay(this::tickSafely, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Stops ticking and waits up to {@code grace} for deliveries under way. A delivery cut short
     * keeps its mail in the queue (its key is removed only after it settled), so nothing is lost.
     */
    public synchronized void stop(Duration grace) {
        if (ticker == null) {
            return;
        }
        stopping.set(true);
        ticker.shutdown();
        workers.shutdown();
        try {
            long deadline = System.nanoTime() + grace.toNanos();
            if (!ticker.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                ticker.shutdownNow();
            }
            if (!workers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            ticker.shutdownNow();
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        ticker = null;
        workers = null;
    }

    /** Runs a tick as soon as the ticker is free; requests made while one is pending coalesce. */
    public void wakeUp() {
        ScheduledExecutorService current = ticker;
        if (current != null && !stopping.get() && wakeUpPending.compareAndSet(false, true)) {
            try {
                current.execute(this::tickSafely);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeUpPending.set(false);
            }
        }
    }

    /**
     * Makes every waiting mail of the route of {@code routeDomain} due now, e.g. because a host of
     * that route just accepted a mail. Cheap for the caller: the work happens on the ticker, and
     * a route is flushed at most once per interval, so a busy route does not list the
     * repository on every delivery.
     */
    public void flush(String routeDomain) {
        Instant now = clock.instant();
        Instant previous = lastFlush.get(routeDomain);
        if (previous != null && previous.plus(settings.interval()).isAfter(now)) {
            return;
        }
        lastFlush.put(routeDomain, now);
        flushRequests.add(routeDomain);
        wakeUp();
    }

    private void tickSafely() {
        try {
            tick();
        } catch (Exception e) {
            // A failing repository must not kill the ticker: the next tick tries again.
            LOGGER.warn("SMTP Routes retry tick failed: {}", e.getMessage(), e);
        }
    }

    /**
     * One tick: applies pending route flushes, then retries due mails batch by batch until fewer
     * than a batch are due. Returns how many mails it retried.
     */
    int tick() throws MessagingException {
        wakeUpPending.set(false);
        if (!mayRetry.getAsBoolean()) {
            return 0;
        }
        applyFlushes();
        int retried = 0;
        Set<MailKey> stuck = new java.util.HashSet<>();
        while (!stopping.get()) {
            // Keys still there after their retry (unreadable mail) are skipped for the rest of
            // this tick, so that a full batch of them cannot keep the tick looping.
            List<MailKey> due = new ArrayList<>(queue.due(clock.instant(), settings.batch() + stuck.size()));
            due.removeAll(stuck);
            if (due.size() > settings.batch()) {
                due = due.subList(0, settings.batch());
            }
            stuck.addAll(retryAll(due));
            retried += due.size();
            if (due.size() < settings.batch()) {
                break;
            }
        }
        return retried;
    }

    private void applyFlushes() throws MessagingException {
        List<String> routes = new ArrayList<>(flushRequests);
        flushRequests.removeAll(routes);
        if (routes.isEmpty() || queue.size() == 0) {
            return;
        }
        for (String route : routes) {
            Instant now = clock.instant();
            for (MailKey key : queue.waitingNotDue(route, now)) {
                queue.reschedule(key, now);
            }
        }
    }

    /** Retries the keys with bounded concurrency; returns the keys that are still stored under the same name. */
    private List<MailKey> retryAll(List<MailKey> due) {
        List<MailKey> stuck = new ArrayList<>();
        if (workers == null) {
            due.stream().filter(key -> !retry(key)).forEach(stuck::add);
            return stuck;
        }
        List<Future<Boolean>> running = new ArrayList<>();
        for (MailKey key : due) {
            running.add(workers.submit(() -> retry(key)));
        }
        for (int i = 0; i < running.size(); i++) {
            if (!awaitQuietly(running.get(i))) {
                stuck.add(due.get(i));
            }
        }
        return stuck;
    }

    private static boolean awaitQuietly(Future<Boolean> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            LOGGER.warn("SMTP Routes retry worker failed: {}", e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Retries one waiting mail; its key is removed only once every recipient is settled
     * elsewhere. Returns false when the mail is still stored under {@code key}.
     */
    boolean retry(MailKey key) {
        Optional<Mail> retrieved;
        try {
            retrieved = queue.retrieve(key);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("SMTP Routes cannot read waiting mail {}: {}", key.asString(), e.getMessage(), e);
            return false;
        }
        if (retrieved.isEmpty()) {
            return true; // removed meanwhile (e.g. through WebAdmin): nothing to do
        }
        Mail mail = retrieved.get();
        try {
            redelivery.redeliver(mail);
            returnUnrouted(mail);
            // Store-new-before-remove-old: remaining failures were stored under new keys above.
            queue.remove(key);
            return true;
        } catch (MessagingException | RuntimeException e) {
            return keepUnsettled(key, mail, e);
        } finally {
            if (mail instanceof MailImpl) {
                ((MailImpl) mail).dispose();
            }
        }
    }

    private void returnUnrouted(Mail mail) throws MessagingException {
        List<MailAddress> unrouted = List.copyOf(mail.getRecipients());
        if (!unrouted.isEmpty() && !Mail.GHOST.equals(mail.getState())) {
            // Their route was removed by a reload: James decides again (e.g. stock RemoteDelivery),
            // rather than this queue dropping them.
            LOGGER.info("SMTP Routes: no route any more for {} of waiting mail {}: handing it back to James",
                unrouted, RetryState.mid(mail));
            mail.setState(Mail.DEFAULT);
            returnToJames.send(mail);
        }
    }

    /**
     * The retry threw: the mail now holds exactly its unsettled recipients (delivered, bounced
     * and re-queued ones were taken off). It is stored again under a key due after
     * {@link #ERROR_DELAY}, before the old key goes, so it is neither lost nor retried in a loop.
     */
    private boolean keepUnsettled(MailKey key, Mail mail, Exception cause) {
        LOGGER.warn("SMTP Routes retry of {} failed, kept for a later try: {}", key.asString(), cause.getMessage(), cause);
        try {
            if (mail.getRecipients().isEmpty()) {
                queue.remove(key);
            } else {
                queue.storeAgain(mail, key, clock.instant().plus(ERROR_DELAY));
            }
            return true;
        } catch (MessagingException | RuntimeException e) {
            // The old key is still stored: the mail is retried on a later tick, nothing is lost.
            LOGGER.warn("SMTP Routes could not re-store {}: {}", key.asString(), e.getMessage(), e);
            return false;
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** How often the scheduler looks for due mails, and how many it retries at once. */
    public static final class Settings {
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
        public static final int DEFAULT_THREADS = 4;
        public static final int DEFAULT_BATCH = 100;
        public static final Settings DEFAULT = new Settings(DEFAULT_INTERVAL, DEFAULT_THREADS, DEFAULT_BATCH);

        private final Duration interval;
        private final int threads;
        private final int batch;

        /** @throws IllegalArgumentException unless interval is positive and threads and batch at least 1 */
        public Settings(Duration interval, int threads, int batch) {
            if (interval.isZero() || interval.isNegative()) {
                throw new IllegalArgumentException("retryInterval must be positive, got " + interval);
            }
            if (threads < 1 || batch < 1) {
                throw new IllegalArgumentException("retryThreads and retryBatch must be at least 1");
            }
            this.interval = interval;
            this.threads = threads;
            this.batch = batch;
        }

        public Duration interval() {
            return interval;
        }

        public int threads() {
            return threads;
        }

        public int batch() {
            return batch;
        }
    }
}
