package io.github.smtproutes.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.routes.RetryPolicy;

/**
 * Takes due mails out of the {@link RetryQueue} and delivers them again. One ticker thread wakes
 * every {@link Settings#interval()} (or at once on {@link #wakeUp()}), picks at most
 * {@link Settings#batch()} due keys from the key names alone, and hands them to a pool of
 * {@link Settings#threads()} workers; it waits for the batch before picking the next, so at most
 * one batch of mails is in memory and no key is handed out twice. Each mail is settled by the
 * {@link Redelivery} (the mailet's route logic, which stores remaining transient failures back
 * under the successor key), recipients whose route disappeared go back to James, and only then is
 * the old key removed: a crash anywhere leaves the mail stored at least once.
 *
 * <p>A mail is retried before its due time only when something says it is worth it, and never by
 * rewriting it: a flush ({@link #flush}, {@link #flushHost}) or an operator's {@link #deliverNow}
 * only records a request; the ticker then notes the names of the waiting keys concerned, in
 * memory, and treats them as due. A flush concerns only mails waiting for a host (their key says
 * so): a mail whose recipient said "mailbox full" keeps its backoff (RFC 5321 4.5.4.1).
 *
 * <p>A retry that fails with an exception counts as an attempt and waits its schedule's delay, so
 * the retry limits hold on that path too; a mail that can be neither retried nor stored again goes
 * to James's error processor once, and a key that cannot be read is logged and left alone for the
 * rest of this run: nothing is retried in a loop.
 */
public final class RetryScheduler {
    private static final Logger LOGGER = LoggerFactory.getLogger(RetryScheduler.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    /** Endpoints remembered as awaited by waiting mails; past this, a host answering brings nothing forward early. */
    static final int MAX_AWAITED_ENDPOINTS = 10_000;

    private final RetryQueue queue;
    private final Redelivery redelivery;
    private final ReturnToJames returnToJames;
    private final Clock clock;
    private final Settings settings;
    private final Limits limits;
    private final ErrorProcessor errorProcessor;
    /** Route tags whose host-waiting mails a flush asked for, applied by the ticker. */
    private final Set<String> flushRequests = ConcurrentHashMap.newKeySet();
    /** Route tags an operator asked to deliver now (every waiting mail of them). */
    private final Set<String> deliverNowRequests = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean deliverAllNow = new AtomicBoolean();
    private final ConcurrentHashMap<String, Instant> lastFlushWake = new ConcurrentHashMap<>();
    /** Which routes have mails waiting for which endpoint ("ip:port"), recorded at deferral. */
    private final ConcurrentHashMap<String, Set<String>> awaitedEndpoints = new ConcurrentHashMap<>();
    /** Names of waiting keys treated as due although their time has not come (flush, deliverNow). */
    private final Set<String> broughtForward = ConcurrentHashMap.newKeySet();
    /** Names being retried right now: never handed out a second time. */
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    /** Names left alone for the rest of this run: unreadable, or already handed to the error processor. */
    private final Set<String> leftAlone = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private final AtomicBoolean stopping = new AtomicBoolean();
    private ScheduledExecutorService ticker;
    private ExecutorService workers;
    private volatile BooleanSupplier mayRetry = () -> true;

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

    /** The retry policy that applies to a waiting mail (its route's, else the mailet's). */
    @FunctionalInterface
    public interface Limits {
        RetryPolicy policyFor(Mail mail);
    }

    /** Hands a mail to James's error processor, with the reason it cannot be retried. */
    @FunctionalInterface
    public interface ErrorProcessor {
        void send(Mail mail, String reason) throws MessagingException;
    }

    /** A scheduler whose mails follow {@link RetryPolicy#DEFAULT} on the error path and whose error processor only logs. */
    public RetryScheduler(RetryQueue queue, Redelivery redelivery, ReturnToJames returnToJames, Clock clock, Settings settings) {
        this(queue, redelivery, returnToJames, clock, settings, mail -> RetryPolicy.DEFAULT,
            (mail, reason) -> LOGGER.error("SMTP Routes: no error processor for waiting mail {}: {}", RetryState.mid(mail), reason));
    }

    public RetryScheduler(RetryQueue queue, Redelivery redelivery, ReturnToJames returnToJames, Clock clock, Settings settings,
                          Limits limits, ErrorProcessor errorProcessor) {
        this.queue = Objects.requireNonNull(queue, "queue");
        this.redelivery = Objects.requireNonNull(redelivery, "redelivery");
        this.returnToJames = Objects.requireNonNull(returnToJames, "returnToJames");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.errorProcessor = Objects.requireNonNull(errorProcessor, "errorProcessor");
    }

    public RetryQueue queue() {
        return queue;
    }

    /**
     * Retries only while {@code condition} holds, e.g. while this node holds its lease among
     * several nodes: a node that lost it may have its queue adopted by another right now.
     */
    public void retryOnlyWhile(BooleanSupplier condition) {
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
            } catch (RejectedExecutionException e) {
                wakeUpPending.set(false);
            }
        }
    }

    /**
     * Brings forward the mails of the route of {@code routeDomain} that wait for a host, e.g.
     * because a host of that route just accepted a mail. Cheap for the caller: it only records the
     * request. The ticker applies it by noting names, never by rewriting mails, and is woken early
     * for a route at most once per interval; a request made meanwhile waits for the next tick.
     */
    public void flush(String routeDomain) {
        String tag = RetryKey.routeTag(routeDomain);
        flushRequests.add(tag);
        Instant now = clock.instant();
        Instant previous = lastFlushWake.get(tag);
        if (previous == null || !previous.plus(settings.interval()).isAfter(now)) {
            lastFlushWake.put(tag, now);
            wakeUp();
        }
    }

    /**
     * Remembers that mails of the route of {@code routeDomain} now wait for {@code endpoints}
     * ("ip:port"): when one of them answers again ({@link #flushHost}), they are brought forward,
     * whatever route the answer came through.
     */
    public void awaitingHosts(String routeDomain, Collection<String> endpoints) {
        for (String endpoint : endpoints) {
            Set<String> routes = awaitedEndpoints.get(endpoint);
            if (routes == null) {
                if (awaitedEndpoints.size() >= MAX_AWAITED_ENDPOINTS) {
                    continue; // those mails keep their schedule; memory stays bounded
                }
                routes = awaitedEndpoints.computeIfAbsent(endpoint, any -> ConcurrentHashMap.newKeySet());
            }
            routes.add(routeDomain);
        }
    }

    /**
     * A host that was down or not yet proven just answered: the mails of every route that waited
     * for it are brought forward (see {@link #flush}). Nothing happens for a host no mail waits for.
     */
    public void flushHost(String endpoint) {
        Set<String> routes = awaitedEndpoints.remove(endpoint);
        if (routes != null) {
            routes.forEach(this::flush);
        }
    }

    /**
     * An operator's "deliver now": every waiting mail of the given routes (all routes when empty)
     * is treated as due at the next tick, which runs at once. Nothing is rewritten, so this never
     * races with the workers: each key is still handed out once.
     */
    public void deliverNow(Optional<Collection<String>> routeDomains) {
        if (routeDomains.isEmpty()) {
            deliverAllNow.set(true);
        } else {
            routeDomains.get().forEach(route -> deliverNowRequests.add(RetryKey.routeTag(route)));
        }
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
     * One tick: applies pending flush and deliverNow requests, then retries due mails batch by
     * batch until fewer than a batch are due. Returns how many mails it retried.
     */
    int tick() throws MessagingException {
        wakeUpPending.set(false);
        if (!mayRetry.getAsBoolean()) {
            return 0;
        }
        bringForward();
        int retried = 0;
        Set<String> triedThisTick = new HashSet<>();
        while (!stopping.get()) {
            // A key still there after its retry (its removal failed) is not taken again this tick,
            // so that a full batch of them cannot keep the tick looping.
            List<MailKey> due = queue.due(clock.instant(), settings.batch(), broughtForward::contains,
                name -> inFlight.contains(name) || leftAlone.contains(name) || triedThisTick.contains(name));
            due.forEach(key -> triedThisTick.add(key.asString()));
            retryAll(due);
            retried += due.size();
            if (due.size() < settings.batch()) {
                break;
            }
        }
        return retried;
    }

    /** Turns pending requests into names treated as due, from one listing of the keys. */
    private void bringForward() throws MessagingException {
        boolean all = deliverAllNow.getAndSet(false);
        Set<String> now = drain(deliverNowRequests);
        Set<String> flushed = drain(flushRequests);
        if (!all && now.isEmpty() && flushed.isEmpty()) {
            return;
        }
        Set<String> waiting = queue.waitingNotDue(clock.instant()).stream().map(MailKey::asString).collect(Collectors.toSet());
        // Names brought forward earlier whose mail went meanwhile are forgotten here.
        broughtForward.retainAll(waiting);
        for (String name : waiting) {
            Optional<String> tag = RetryKey.routeTagOf(name);
            boolean asked = all || tag.map(now::contains).orElse(false);
            boolean flushedHostWait = RetryKey.waitsForHost(name) && tag.map(flushed::contains).orElse(false);
            if (asked || flushedHostWait) {
                broughtForward.add(name);
            }
        }
    }

    private static Set<String> drain(Set<String> requests) {
        Set<String> taken = new HashSet<>(requests);
        requests.removeAll(taken);
        return taken;
    }

    /** Retries the keys with bounded concurrency, each once, and waits for all of them. */
    private void retryAll(List<MailKey> due) {
        due.forEach(key -> inFlight.add(key.asString()));
        if (workers == null) {
            due.forEach(this::retryTracked);
            return;
        }
        List<Future<?>> running = new ArrayList<>();
        for (MailKey key : due) {
            running.add(workers.submit(() -> retryTracked(key)));
        }
        running.forEach(RetryScheduler::awaitQuietly);
    }

    private void retryTracked(MailKey key) {
        try {
            retry(key);
        } finally {
            broughtForward.remove(key.asString());
            inFlight.remove(key.asString());
        }
    }

    private static void awaitQuietly(Future<?> future) {
        try {
            future.get();
        } catch (ExecutionException e) {
            LOGGER.warn("SMTP Routes retry worker failed: {}", e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Retries one waiting mail; its key is removed only once every recipient is settled
     * elsewhere (delivered, bounced, stored under its successor key, or handed to James).
     */
    void retry(MailKey key) {
        Optional<Mail> retrieved = read(key);
        if (retrieved.isEmpty()) {
            return;
        }
        Mail mail = retrieved.get();
        try {
            redelivery.redeliver(mail);
            returnUnrouted(mail);
        } catch (MessagingException | RuntimeException e) {
            failed(key, mail, e);
            return;
        } finally {
            if (mail instanceof MailImpl) {
                ((MailImpl) mail).dispose();
            }
        }
        // Store-new-before-remove-old: remaining failures were stored under successor keys above.
        removeOrLeaveAlone(key);
    }

    /**
     * The mail under {@code key}, or empty when there is none to retry. A repository that cannot
     * read a listed key, or lists one it then does not return (FileMailRepository deletes a mail
     * it cannot read and returns null), is logged; the key is not taken again in this run.
     */
    private Optional<Mail> read(MailKey key) {
        Optional<Mail> retrieved;
        try {
            retrieved = queue.retrieve(key);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("SMTP Routes cannot read waiting mail {}: left alone until James restarts: {}",
                key.asString(), e.getMessage(), e);
            leftAlone.add(key.asString());
            return Optional.empty();
        }
        if (retrieved.isEmpty()) {
            LOGGER.warn("SMTP Routes: waiting mail {} is listed but the repository returned nothing"
                + " (removed meanwhile, or deleted by the repository as unreadable): its key is dropped", key.asString());
            removeOrLeaveAlone(key);
        }
        return retrieved;
    }

    private void removeOrLeaveAlone(MailKey key) {
        try {
            queue.remove(key);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("SMTP Routes could not remove settled key {} from the retry queue: left alone until James restarts: {}",
                key.asString(), e.getMessage(), e);
            leftAlone.add(key.asString());
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
     * and re-queued ones were taken off). It counts as an attempt, so the retry limits bound this
     * path as any other: within them it is stored again after its schedule's delay; past them, or
     * when it cannot be stored again, it goes to James's error processor, once.
     */
    private void failed(MailKey key, Mail mail, Exception cause) {
        if (mail.getRecipients().isEmpty()) {
            removeOrLeaveAlone(key);
            return;
        }
        Instant now = clock.instant();
        int attempts = RetryState.attempts(mail) + 1;
        Instant first = RetryState.firstAttempt(mail).orElse(now);
        RetryPolicy policy = limits.policyFor(mail);
        if (policy.givesUp(attempts, Duration.between(first, now))) {
            toErrorProcessor(key, mail, "retry limit reached after " + attempts + " attempts; the last retry failed: " + describe(cause));
            return;
        }
        Instant due = now.plus(policy.delayBeforeAttempt(attempts));
        try {
            queue.storeSuccessor(mail, key, attempts, due);
        } catch (MessagingException | RuntimeException e) {
            toErrorProcessor(key, mail, "cannot be stored again in the retry queue (" + describe(e) + ") after its retry failed: "
                + describe(cause));
            return;
        }
        LOGGER.warn("SMTP Routes retry of {} failed (attempt {}), next try at {}: {}", key.asString(), attempts, due, describe(cause), cause);
        removeOrLeaveAlone(key);
    }

    private void toErrorProcessor(MailKey key, Mail mail, String reason) {
        try {
            errorProcessor.send(mail, "SMTP Routes: waiting mail " + RetryState.mid(mail) + " " + reason);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.error("SMTP Routes could not hand waiting mail {} to the error processor: left in the retry queue until James restarts: {}",
                key.asString(), e.getMessage(), e);
            leftAlone.add(key.asString());
            return;
        }
        LOGGER.error("SMTP Routes handed waiting mail {} to the error processor: {}", key.asString(), reason);
        removeOrLeaveAlone(key);
    }

    private static String describe(Exception e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
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
