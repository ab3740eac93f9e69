package io.github.smtproutes.verify;

import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import javax.annotation.PreDestroy;
import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.DNSService;

import com.google.common.base.Suppliers;

import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.delivery.HostPlan;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.metrics.CallAheadMetrics;
import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.metrics.JamesCallAheadMetrics;
import io.github.smtproutes.routes.Durations;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.CallAheadAnswer;
import io.github.smtproutes.smtp.CallAheadClient;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Recipient verification by SMTP call-ahead, shared by every SMTP session of one James (Guice
 * creates it once; the RCPT hook and WebAdmin get it injected). For one recipient of a route
 * with {@code verifyRecipients="callahead"}, top-down:
 * <ol>
 *   <li>a fresh cached result answers at once ({@link VerificationCache});</li>
 *   <li>else one call-ahead runs for the address, however many RCPTs ask at once; it asks the
 *   route's hosts in the order and with the failover of a delivery ({@link HostPlanner}): a
 *   2xx or a 5xx to RCPT ends it, anything else moves on to the next host;</li>
 *   <li>the RCPT waits at most the configured {@code timeout}; past it, or when no host gave a
 *   definite answer, the route's {@code onVerifyFailure} decides ({@link RcptAnswer}). A
 *   call-ahead still running past the timeout finishes in the background and fills the cache.</li>
 * </ol>
 * Call-aheads run on a bounded pool of daemon threads; sessions are pooled per host and limited
 * per host by {@link CallAheadClient}. Host health is read, not written: a call-ahead never
 * marks a host down for the mail deliveries.
 */
@Singleton
public class RecipientVerifier implements AutoCloseable {
    private static final int MAX_THREADS = 256;
    // Postfix smtpd counts errors per session (smtpd_hard_error_limit, 20 by default) and a
    // refused RCPT is one: end a session before it could be cut off for asking too much.
    private static final int QUESTIONS_PER_SESSION = 20;

    private final HostPlanner planner;
    private final CallAheadMetrics metrics;
    private final Supplier<String> defaultHeloName;
    private final Clock clock;
    private volatile Engine engine;
    private Optional<String> configuredBy = Optional.empty();

    @Inject
    public RecipientVerifier(SmtpRoutes smtpRoutes, DNSService dns, JamesCallAheadMetrics metrics, Clock clock) {
        this(new HostPlanner(dns, smtpRoutes.roundRobin(), smtpRoutes.failures()), metrics, () -> localHostName(dns), clock);
        metrics.registerCacheGauges(() -> engine.cache.stats().positiveSize, () -> engine.cache.stats().negativeSize);
    }

    public RecipientVerifier(HostPlanner planner, CallAheadMetrics metrics, Supplier<String> defaultHeloName, Clock clock) {
        this.planner = planner;
        this.metrics = metrics;
        this.defaultHeloName = Suppliers.memoize(defaultHeloName::get);
        this.clock = clock;
        this.engine = new Engine(CallAheadSettings.DEFAULT, this.defaultHeloName, clock);
    }

    /**
     * Applies the {@code <callAhead>} settings of one hook. Every James listener (port 25, 587...)
     * shares one cache, so two hooks that give different settings are a start-up error; a hook
     * without {@code <callAhead>} uses whatever another hook set, or the defaults.
     *
     * @throws IllegalArgumentException when another hook already set different settings
     */
    public synchronized void configure(CallAheadSettings settings, String by) {
        if (configuredBy.isPresent() && !engine.settings.equals(settings)) {
            throw new IllegalArgumentException("<callAhead> settings differ from those of " + configuredBy.get()
                + " (" + engine.settings + "): the call-ahead cache is shared by every listener, give the same settings or give them once");
        }
        if (!engine.settings.equals(settings)) {
            Engine previous = engine;
            engine = new Engine(settings, defaultHeloName, clock);
            previous.close();
        }
        configuredBy = Optional.of(by);
    }

    public CallAheadSettings settings() {
        return engine.settings;
    }

    /**
     * Verifies {@code recipient} with the hosts of {@code route} and says what its RCPT gets,
     * writing the mail-log line and the metrics. Blocks at most the configured timeout.
     *
     * @param context who asks, for the mail log: "ICID 12" for an SMTP session, "WebAdmin"
     */
    public RcptAnswer answerRcpt(Route route, MailAddress recipient, String context) {
        Verification verification = verify(route, recipient);
        RcptAnswer answer = RcptAnswer.of(verification, route.onVerifyFailure());
        count(route, verification);
        MailLog.callAheadResult(context, recipient.asString(), route.domain(), verification.word(),
            verification.fromCache(), answer.action(), verification.reply().text());
        return answer;
    }

    /** The verification of {@code recipient} by the hosts of {@code route}, cached or fresh; at most the timeout. */
    public Verification verify(Route route, MailAddress recipient) {
        Engine current = engine;
        if (hasControlCharacter(recipient.asString())) {
            // Never written to a host: a bare CR or LF in RCPT could end the line early there.
            return Verification.noAnswer("address has control characters: not asked");
        }
        long deadline = System.nanoTime() + current.settings.timeout().toNanos();
        CompletableFuture<Verification> result = current.cache.lookup(key(recipient),
            promise -> current.executor.execute(() -> promise.complete(askHosts(current, route, recipient, deadline))));
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Verification.noAnswer("no answer within " + Durations.format(current.settings.timeout()));
        } catch (ExecutionException e) {
            return Verification.noAnswer("call-ahead failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verification.noAnswer("interrupted");
        }
    }

    /**
     * Asks the hosts of the route's plan in turn until one gives a definite answer, within the
     * deadline. Never throws: whatever goes wrong is a "no answer".
     */
    private Verification askHosts(Engine current, Route route, MailAddress recipient, long deadline) {
        try {
            String domain = recipient.getDomain().asString();
            HostPlan plan = planner.plan(route, domain);
            if (plan.isEmpty()) {
                return Verification.noAnswer("no destination host: " + String.join("; ", plan.problems()));
            }
            List<HostAddress> hosts = plan.hosts();
            SmtpReply last = SmtpReply.none("no host asked");
            for (int i = 0; i < hosts.size(); i++) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.isNegative() || left.isZero()) {
                    return Verification.noAnswer("no answer within " + Durations.format(current.settings.timeout()) + "; last: " + last.text());
                }
                // With another host to try, wait for a free session at most half the time left,
                // so that a busy first host cannot use up the whole verification.
                Duration placeWait = i == hosts.size() - 1 ? left : left.dividedBy(2);
                CallAheadAnswer answer = ask(current, hosts.get(i), route, domain, recipient, left, placeWait);
                if (answer.verdict() != CallAheadAnswer.Verdict.NO_ANSWER) {
                    return Verification.answered(answer);
                }
                last = answer.reply();
            }
            return Verification.noAnswer("no host gave a definite answer; last: " + last.text());
        } catch (RuntimeException e) {
            return Verification.noAnswer("call-ahead failed: " + e);
        }
    }

    private CallAheadAnswer ask(Engine current, HostAddress host, Route route, String domain, MailAddress recipient,
            Duration left, Duration placeWait) {
        DeliveryMetrics.HostTimer timer = metrics.hostQuestion(host);
        CallAheadAnswer answer;
        try {
            answer = current.client.ask(host, route, domain, recipient, left, placeWait);
        } finally {
            timer.stop();
        }
        String word = answer.verdict() == CallAheadAnswer.Verdict.ACCEPTED ? "accept"
            : answer.verdict() == CallAheadAnswer.Verdict.REFUSED ? "reject" : "none, trying the next host";
        MailLog.callAheadHost(recipient.asString(), route.domain(), host.endpoint(), word, answer.reply().text());
        return answer;
    }

    private void count(Route route, Verification verification) {
        if (verification.fromCache()) {
            metrics.cacheHit(route);
        }
        if (verification.isAccepted()) {
            metrics.accepted(route);
        } else if (verification.isRefused()) {
            metrics.refused(route);
        } else {
            metrics.failed(route);
        }
    }

    /** The cache key: the domain in lowercase (DNS names ignore case), the local part as written (RFC 5321 2.4). */
    static String key(MailAddress recipient) {
        return recipient.getLocalPart() + "@" + recipient.getDomain().asString().toLowerCase(Locale.ROOT);
    }

    private static boolean hasControlCharacter(String text) {
        return text.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }

    public VerificationCache.Stats cacheStats() {
        return engine.cache.stats();
    }

    /** Forgets every cached result. */
    public void clearCache() {
        engine.cache.clear();
    }

    /** Forgets the cached result of one address. */
    public void forget(MailAddress recipient) {
        engine.cache.invalidate(key(recipient));
    }

    /** Call-ahead session figures per endpoint ("ip:port"). */
    public Map<String, ConnectionPool.Stats> sessionStats() {
        return engine.client.stats();
    }

    /** Per endpoint, how many questions found the host at its call-ahead session limit. */
    public Map<String, Long> busyCounts() {
        return engine.client.busyCounts();
    }

    @PreDestroy
    @Override
    public void close() {
        engine.close();
    }

    private static String localHostName(DNSService dns) {
        try {
            String name = dns.getHostName(dns.getLocalHost());
            return name == null || name.isBlank() ? "localhost" : name;
        } catch (UnknownHostException | RuntimeException e) {
            return "localhost";
        }
    }

    /** The parts built from one set of settings: cache, sessions and threads. */
    private static final class Engine {
        private static final AtomicInteger THREADS = new AtomicInteger();

        final CallAheadSettings settings;
        final VerificationCache cache;
        final CallAheadClient client;
        final ThreadPoolExecutor executor;

        Engine(CallAheadSettings settings, Supplier<String> defaultHeloName, Clock clock) {
            this.settings = settings;
            this.cache = new VerificationCache(settings.positiveTtl(), settings.negativeTtl(), settings.cacheSize());
            ConnectionPool pool = new ConnectionPool(ConnectionPool.DEFAULT_IDLE_TIME, QUESTIONS_PER_SESSION,
                settings.maxConnectionsPerHost(), settings.timeout(), clock);
            this.client = new CallAheadClient(() -> settings.heloName().orElseGet(defaultHeloName), settings.maxConnectionsPerHost(), pool);
            // No queue: a call-ahead starts now or not at all (then that RCPT gets onVerifyFailure).
            this.executor = new ThreadPoolExecutor(0, MAX_THREADS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), runnable -> {
                Thread thread = new Thread(runnable, "smtp-routes-callahead-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        }

        void close() {
            executor.shutdown();
            client.close();
        }
    }
}
