package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.core.MailAddress;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.delivery.Bouncer;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.delivery.RoundRobin;
import io.github.smtproutes.delivery.RouteDelivery;
import io.github.smtproutes.delivery.RoutedMailProcessor;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteTable;
import io.github.smtproutes.smtp.ClientSettings;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.testing.MovableClock;
import io.github.smtproutes.testing.ScriptedSmtpServer;
import io.github.smtproutes.testing.SmtpPhase;

/**
 * The scheduler against the real route logic, a real scripted SMTP host and a real James
 * MemoryMailRepository, on a clock the test moves: when a waiting mail is retried, the doubling
 * schedule, giving up, store-before-remove, handing route-less mails back, route flush, and the
 * concurrency bound. Ticks are run by the test, so no assertion depends on timing.
 */
class RetrySchedulerTest {
    static final Instant START = Instant.parse("2024-05-01T10:00:00Z");

    ScriptedSmtpServer host;
    ScriptedSmtpServer other;
    MovableClock clock;
    MemoryMailRepository repository;
    RetryQueue queue;
    FakeMailContext context;
    List<Mail> returnedToJames;
    RouteTable table;
    RoutedMailProcessor processor;
    RetryScheduler scheduler;
    HostFailures failures;
    HostAdmission admission;
    List<String> toErrorProcessor;

    @BeforeEach
    void setUp() {
        host = ScriptedSmtpServer.start().reply(SmtpPhase.RCPT, "451 4.3.0 Try later");
        other = ScriptedSmtpServer.start().reply(SmtpPhase.RCPT, "451 4.3.0 Try later");
        clock = new MovableClock(START);
        repository = new MemoryMailRepository();
        queue = new RetryQueue(repository);
        context = FakeMailContext.defaultContext();
        returnedToJames = new CopyOnWriteArrayList<>();
        table = RouteTable.of("test", List.of(
            Route.builder("retry.test").hosts(RouteHost.of("127.0.0.1", host.port(), 0)).build(),
            Route.builder("other.test").hosts(RouteHost.of("127.0.0.1", other.port(), 0)).build(),
            Route.builder("warn.test").hosts(RouteHost.of("127.0.0.1", host.port(), 0)).delayWarning(Duration.ofMinutes(5)).build()));
        useProcessor(RetryPolicy.DEFAULT);
    }

    @AfterEach
    void tearDown() {
        scheduler.stop(Duration.ofSeconds(5));
        host.close();
        other.close();
    }

    @Test
    void aWaitingMailIsRetriedWhenDueAndTheDelayDoublesUpToTheMax() throws Exception {
        processor.process(mail("user@retry.test"), table);

        List<Long> delays = new ArrayList<>();
        for (int attempt = 1; attempt <= 8; attempt++) {
            Instant due = onlyDueTime();
            delays.add(Duration.between(clock.instant(), due).toSeconds());
            clock.set(due.minusMillis(1));
            assertThat(scheduler.tick()).isZero();
            clock.set(due);
            assertThat(scheduler.tick()).isEqualTo(1);
        }

        assertThat(delays).containsExactly(60L, 120L, 240L, 480L, 960L, 1920L, 3600L, 3600L);
        assertThat(RetryState.attempts(onlyWaitingMail())).isEqualTo(9);
        assertThat(repository.size()).isEqualTo(1);
    }

    @Test
    void aHealedHostGetsTheMailAndTheKeyIsRemoved() throws Exception {
        processor.process(mail("user@retry.test"), table);
        host.heal();

        clock.set(onlyDueTime());
        scheduler.tick();

        assertThat(host.received()).singleElement().satisfies(received -> assertThat(received.recipients()).containsExactly("user@retry.test"));
        assertThat(repository.size()).isZero();
    }

    @Test
    void aMailPastItsMaxAgeBouncesAsAnExpiredTemporaryFailureWithTheLastReply() throws Exception {
        processor.process(mail("user@retry.test"), table);

        clock.set(START.plus(Duration.ofHours(72)));
        scheduler.tick();

        assertThat(repository.size()).isZero();
        assertThat(context.getSentMails()).singleElement().satisfies(bounce -> {
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(new MailAddress("user@retry.test"));
            assertThat(bounce.getAttributes().get(Bouncer.IS_DELIVERY_PERMANENT_ERROR).getValue().value()).isEqualTo(false);
            assertThat(bounce.getAttributes().get(Bouncer.DELIVERY_ERROR).getValue().value()).isEqualTo("451 4.3.0 Try later");
        });
    }

    @Test
    void aMailIsBouncedAtItsLastAllowedAttempt() throws Exception {
        useProcessor(new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, Duration.ofHours(72)));
        processor.process(mail("user@retry.test"), table);

        clock.set(onlyDueTime());
        scheduler.tick();
        assertThat(RetryState.attempts(onlyWaitingMail())).isEqualTo(2);
        clock.set(onlyDueTime());
        scheduler.tick();

        assertThat(repository.size()).isZero();
        assertThat(context.getSentMails()).hasSize(1);
    }

    @Test
    void recipientsWhoseRouteWasRemovedGoBackToJames() throws Exception {
        processor.process(mail("user@retry.test"), table);
        table = RouteTable.of("reloaded", List.of());

        clock.set(onlyDueTime());
        scheduler.tick();

        assertThat(repository.size()).isZero();
        assertThat(returnedToJames).singleElement().satisfies(mail -> {
            assertThat(mail.getRecipients()).containsExactly(new MailAddress("user@retry.test"));
            assertThat(mail.getState()).isEqualTo(Mail.DEFAULT);
        });
    }

    /** A retry that throws is an attempt like any other: it waits its schedule's delay, not a fixed short one. */
    @Test
    void aRetryThatThrowsKeepsTheUnsettledRecipientsUnderTheSuccessorKeyAfterItsScheduledDelay() throws Exception {
        processor.process(mail("user@retry.test"), table);
        MailKey original = repository.list().next();
        scheduler = new RetryScheduler(queue, mail -> {
            throw new javax.mail.MessagingException("repository full");
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10));

        clock.set(onlyDueTime());
        scheduler.tick();

        MailKey kept = repository.list().next();
        assertThat(kept).isNotEqualTo(original);
        assertThat(RetryKey.dueOf(kept)).isEqualTo(clock.instant().plus(RetryPolicy.DEFAULT.delayBeforeAttempt(2)));
        assertThat(repository.retrieve(kept).getRecipients()).containsExactly(new MailAddress("user@retry.test"));
        assertThat(RetryState.attempts(repository.retrieve(kept))).isEqualTo(2);
    }

    @Test
    void aMailWaitingLongerThanItsRoutesDelayWarningIsWarnedOnceWithItsRetryLimit() throws Exception {
        processor.process(mail("user@warn.test"), table);

        for (int attempt = 1; attempt <= 6; attempt++) {
            clock.set(onlyDueTime());
            scheduler.tick();
        }

        // Attempts at 0, 1, 3, 7, 15 min...: the one at 7 min is the first past 5 min.
        assertThat(context.getSentMails()).singleElement().satisfies(warning -> {
            assertThat(warning.getState()).isEqualTo("delay-warnings");
            assertThat(warning.getRecipients()).containsExactly(new MailAddress("user@warn.test"));
            assertThat(warning.getAttributes().get(DelayWarnings.WILL_RETRY_UNTIL).getValue().value())
                .isEqualTo(START.plus(Duration.ofHours(72)).toString());
            assertThat(warning.getAttributes().get(io.github.smtproutes.delivery.Bouncer.DELIVERY_ERROR).getValue().value())
                .isEqualTo("451 4.3.0 Try later");
        });
        assertThat(RetryState.delayWarned(onlyWaitingMail())).isTrue();
    }

    /** Only mails waiting for a host are brought forward, and a 421 greeting is such a wait. */
    @Test
    void aRouteFlushMakesOnlyThatRoutesWaitingMailsDueNow() throws Exception {
        host.reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
        other.reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
        processor.process(mail("user@retry.test"), table);
        processor.process(mail("user@other.test"), table);
        host.heal();
        other.heal();

        scheduler.flush("retry.test");
        scheduler.tick();

        assertThat(host.received()).hasSize(1);
        assertThat(other.received()).isEmpty();
        assertThat(onlyWaitingMail().getRecipients()).containsExactly(new MailAddress("user@other.test"));
    }

    @Test
    void dueMailsAreRetriedInBatchesWithAtMostTheConfiguredThreadsAtOnce() throws Exception {
        for (int i = 0; i < 25; i++) {
            queue.enqueue(mail("user" + i + "@retry.test"), List.of(new MailAddress("user" + i + "@retry.test")),
                new RetryQueue.Entry("mid" + i, "retry.test", 1, START, START, "451 4.3.0 Try later", 451));
        }
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        scheduler = new RetryScheduler(queue, mail -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            sleepQuietly(20);
            inFlight.decrementAndGet();
            done.incrementAndGet();
            mail.setRecipients(List.of());
            mail.setState(Mail.GHOST);
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofHours(1), 3, 10));

        scheduler.start();

        await().atMost(Duration.ofSeconds(30)).until(() -> repository.size() == 0);
        assertThat(done.get()).isEqualTo(25);
        assertThat(maxInFlight.get()).isBetween(1, 3);
    }

    /**
     * A route that keeps carrying other mail must not shorten the backoff of a recipient whose
     * mailbox is full (RFC 5321 4.5.4.1): over two simulated hours, with a delivery on the route
     * every 30 seconds, that recipient is asked at the schedule's times only, and not bounced.
     */
    @Test
    void aFullMailboxKeepsItsBackoffWhileItsRouteCarriesOtherMail() throws Exception {
        host.heal().rcptReply("full@retry.test", "452 4.2.2 Mailbox full");
        processor.process(mail("full@retry.test"), table);

        List<Instant> askedAt = new ArrayList<>(List.of(clock.instant()));
        for (int step = 1; step <= 240; step++) {
            clock.set(START.plusSeconds(30L * step));
            processor.process(mail("ok" + step + "@retry.test"), table);
            scheduler.tick();
            long asked = host.transcript().stream().filter(line -> line.contains("RCPT TO:<full@retry.test>")).count();
            while (askedAt.size() < asked) {
                askedAt.add(clock.instant());
            }
        }

        assertThat(host.received()).hasSize(240);
        assertThat(context.getSentMails()).isEmpty();
        for (int attempt = 1; attempt < askedAt.size(); attempt++) {
            assertThat(Duration.between(askedAt.get(attempt - 1), askedAt.get(attempt)))
                .isGreaterThanOrEqualTo(RetryPolicy.DEFAULT.delayBeforeAttempt(attempt));
        }
        // 0, 1, 3, 7, 15, 31, 63 and 123 minutes at most
        assertThat(askedAt).hasSizeBetween(6, 8);
        assertThat(RetryState.attempts(onlyWaitingMail())).isEqualTo(askedAt.size());
    }

    /** A host that answers again through another route brings forward the mails that waited for it. */
    @Test
    void aHostAnsweringThroughAnotherRouteBringsItsWaitingMailsForward() throws Exception {
        host.reply(SmtpPhase.CONNECT, "421 4.3.2 Not now");
        processor.process(mail("user@retry.test"), table);
        assertThat(RetryKey.parse(repository.list().next().asString()).orElseThrow().waitsForHost()).isTrue();
        host.heal();

        processor.process(mail("user@warn.test"), table);
        scheduler.tick();

        assertThat(host.received()).extracting(received -> received.recipients().get(0))
            .containsExactly("user@warn.test", "user@retry.test");
        assertThat(repository.size()).isZero();
    }

    /** A pass on which no host was asked (the only host busy with its probe) is not an attempt. */
    @Test
    void noAttemptIsCountedWhenNoHostWasAsked() throws Exception {
        String endpoint = "127.0.0.1:" + host.port();
        // Its backoff is over and its probe holds the only turn: no delivery is let through.
        admission.configureWait(Duration.ofMillis(200), 4);
        failures.failed(endpoint, "421 4.3.2 Not now");
        await().atMost(Duration.ofSeconds(5)).until(() -> !failures.isDown(endpoint, "retry.test"));
        HostAdmission.Turn probe = admission.admit(endpoint, "retry.test", false);
        assertThat(probe.isProbe()).isTrue();

        processor.process(mail("user@retry.test"), table);
        assertThat(RetryState.attempts(onlyWaitingMail())).isZero();
        Instant firstDue = onlyDueTime();
        clock.set(firstDue);
        scheduler.tick();
        assertThat(RetryState.attempts(onlyWaitingMail())).isZero();
        assertThat(Duration.between(firstDue, onlyDueTime())).isEqualTo(RetryPolicy.DEFAULT.initial());
        assertThat(host.connectionCount()).isZero();

        probe.close();
        admission.configureWait(HostAdmission.DEFAULT_VERDICT_WAIT, HostAdmission.DEFAULT_MAX_WAITERS);
        host.heal();
        clock.set(onlyDueTime());
        scheduler.tick();
        assertThat(host.received()).hasSize(1);
        assertThat(repository.size()).isZero();
    }

    /** A retry that keeps throwing uses up the attempts like any other and then goes to the error processor, once. */
    @Test
    void aRetryThatKeepsThrowingEndsInTheErrorProcessorOnceAtItsLimit() throws Exception {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(60), Duration.ofHours(1), 3, Duration.ofHours(72));
        queue.enqueue(mail("user@retry.test"), List.of(new MailAddress("user@retry.test")),
            new RetryQueue.Entry("mid-1", "retry.test", 1, START, START.plusSeconds(60), "451 4.3.0 Try later", 451));
        AtomicInteger tries = new AtomicInteger();
        List<String> errors = new CopyOnWriteArrayList<>();
        scheduler = new RetryScheduler(queue, mail -> {
            tries.incrementAndGet();
            throw new javax.mail.MessagingException("cannot read the message");
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10), mail -> policy,
            (mail, reason) -> errors.add(RetryState.mid(mail) + ": " + reason));

        clock.set(START.plusSeconds(60));
        scheduler.tick();
        assertThat(RetryState.attempts(onlyWaitingMail())).isEqualTo(2);
        clock.set(START.plusSeconds(60 + 119));
        assertThat(scheduler.tick()).isZero();
        clock.set(START.plusSeconds(60 + 120));
        scheduler.tick();
        for (int i = 1; i <= 5; i++) {
            clock.set(START.plus(Duration.ofHours(i)));
            scheduler.tick();
        }

        assertThat(tries.get()).isEqualTo(2);
        assertThat(errors).singleElement().satisfies(reason ->
            assertThat(reason).contains("mid-1", "retry limit reached after 3 attempts", "cannot read the message"));
        assertThat(repository.size()).isZero();
    }

    /** A retry that throws and whose mail cannot be stored again goes to the error processor once, and its key goes. */
    @Test
    void aMailThatCannotBeStoredAgainGoesToTheErrorProcessorOnceAndNeverLoops() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean refuseStores = new java.util.concurrent.atomic.AtomicBoolean();
        repository = new MemoryMailRepository() {
            @Override
            public MailKey store(Mail mail) {
                if (refuseStores.get()) {
                    throw new IllegalStateException("disk full");
                }
                return super.store(mail);
            }
        };
        queue = new RetryQueue(repository);
        queue.enqueue(mail("user@retry.test"), List.of(new MailAddress("user@retry.test")),
            new RetryQueue.Entry("mid-2", "retry.test", 1, START, START, "451 4.3.0 Try later", 451));
        refuseStores.set(true);
        AtomicInteger tries = new AtomicInteger();
        List<String> errors = new CopyOnWriteArrayList<>();
        scheduler = new RetryScheduler(queue, mail -> {
            tries.incrementAndGet();
            throw new javax.mail.MessagingException("repository full");
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10), mail -> RetryPolicy.DEFAULT,
            (mail, reason) -> errors.add(reason));

        for (int i = 0; i < 5; i++) {
            clock.set(START.plusSeconds(60L * i));
            scheduler.tick();
        }

        assertThat(tries.get()).isEqualTo(1);
        assertThat(errors).singleElement().satisfies(reason -> assertThat(reason).contains("mid-2", "cannot be stored again", "disk full"));
        assertThat(repository.size()).isZero();
    }

    /** A key the repository lists but does not return is logged and dropped, not asked for on every tick. */
    @Test
    void aListedKeyTheRepositoryDoesNotReturnIsLoggedAndNotRetriedEveryTick() throws Exception {
        String phantom = RetryKey.next("gone", "mid", 1, START, "retry.test", false, "user@retry.test").name();
        java.util.Set<String> listedOnly = java.util.concurrent.ConcurrentHashMap.newKeySet();
        listedOnly.add(phantom);
        AtomicInteger retrievals = new AtomicInteger();
        repository = new MemoryMailRepository() {
            @Override
            public java.util.Iterator<MailKey> list() {
                List<MailKey> keys = new ArrayList<>();
                super.list().forEachRemaining(keys::add);
                listedOnly.forEach(name -> keys.add(new MailKey(name)));
                return keys.iterator();
            }

            @Override
            public Mail retrieve(MailKey key) {
                retrievals.incrementAndGet();
                return super.retrieve(key);
            }

            @Override
            public void remove(MailKey key) {
                listedOnly.remove(key.asString());
                super.remove(key);
            }
        };
        queue = new RetryQueue(repository);
        scheduler = new RetryScheduler(queue, mail -> { }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10));
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(RetryScheduler.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        logger.addAppender(log);
        try {
            for (int i = 0; i < 5; i++) {
                clock.set(START.plusSeconds(i));
                scheduler.tick();
            }
        } finally {
            logger.detachAppender(log);
        }

        assertThat(retrievals.get()).isEqualTo(1);
        assertThat(listedOnly).isEmpty();
        assertThat(log.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
            .anySatisfy(line -> assertThat(line).contains(phantom, "listed but the repository returned nothing"));
    }

    /** deliverNow makes every waiting mail due, whatever it waits for; concurrent calls while workers drain deliver each once. */
    @Test
    void concurrentDeliverNowCallsWhileWorkersDrainDeliverEachMailOnce() throws Exception {
        for (int i = 0; i < 60; i++) {
            queue.enqueue(mail("user" + i + "@retry.test"), List.of(new MailAddress("user" + i + "@retry.test")),
                new RetryQueue.Entry("mid" + i, "retry.test", 1, START, START.plus(Duration.ofHours(1)), "452 4.2.2 Mailbox full", 452));
        }
        java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> deliveries = new java.util.concurrent.ConcurrentHashMap<>();
        scheduler = new RetryScheduler(queue, mail -> {
            deliveries.computeIfAbsent(RetryState.mid(mail), any -> new AtomicInteger()).incrementAndGet();
            sleepQuietly(5);
            mail.setRecipients(List.of());
            mail.setState(Mail.GHOST);
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofHours(1), 4, 10));
        scheduler.start();

        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread caller = new Thread(() -> {
                for (int call = 0; call < 20; call++) {
                    scheduler.deliverNow(call % 2 == 0 ? Optional.empty() : Optional.of(List.of("retry.test")));
                    sleepQuietly(3);
                }
            });
            caller.start();
            callers.add(caller);
        }
        for (Thread caller : callers) {
            caller.join();
        }
        scheduler.deliverNow(Optional.empty());

        await().atMost(Duration.ofSeconds(30)).until(() -> repository.size() == 0);
        assertThat(deliveries).hasSize(60);
        assertThat(deliveries.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(1));
    }

    @Test
    void aFlushLeavesAMailWaitingForItsOwnReasonAlone() throws Exception {
        processor.process(mail("user@retry.test"), table);
        Instant due = onlyDueTime();

        scheduler.flush("retry.test");
        scheduler.flushHost("127.0.0.1:" + host.port());
        assertThat(scheduler.tick()).isZero();
        assertThat(onlyDueTime()).isEqualTo(due);
    }

    /** Of one mail, a recipient whose session was closed (421) waits for the host, a full mailbox for itself: stored apart. */
    @Test
    void recipientsWaitingForTheHostAndForThemselvesAreStoredApart() throws Exception {
        host.heal().rcptReply("full@retry.test", "452 4.2.2 Mailbox full").rcptReply("closing@retry.test", "421 4.3.2 Closing");
        MailImpl mail = mail("full@retry.test");
        mail.setRecipients(List.of(new MailAddress("full@retry.test"), new MailAddress("closing@retry.test")));

        processor.process(mail, table);

        List<MailKey> keys = new ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        assertThat(keys).hasSize(2).allSatisfy(key -> {
            boolean waitsForHost = RetryKey.parse(key.asString()).orElseThrow().waitsForHost();
            assertThat(repository.retrieve(key).getRecipients()).containsExactly(
                new MailAddress(waitsForHost ? "closing@retry.test" : "full@retry.test"));
        });
    }

    private void useProcessor(RetryPolicy policy) {
        failures = new HostFailures(Clock.systemUTC());
        // These tests move the scheduler's clock, not the host backoff: keep hosts out of it.
        failures.configureBackoff(Duration.ofMillis(1), Duration.ofMillis(1));
        admission = new HostAdmission(failures);
        toErrorProcessor = new CopyOnWriteArrayList<>();
        RouteDelivery delivery = new RouteDelivery(
            new HostPlanner(new InMemoryDNSService(), new RoundRobin(), failures),
            new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2))),
            admission);
        if (scheduler != null) {
            scheduler.stop(Duration.ofSeconds(1));
        }
        scheduler = new RetryScheduler(queue, mail -> processor.process(mail, table), returnedToJames::add, clock,
            new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10), mail -> policy,
            (mail, reason) -> toErrorProcessor.add(RetryState.mid(mail) + ": " + reason));
        processor = new RoutedMailProcessor(delivery, new Bouncer(context, Optional.of("bounces")), queue, policy, clock,
            route -> scheduler.flush(route.domain()), new DelayWarnings(Optional.empty(), "delay-warnings", context))
            .withHostWaits((route, endpoints) -> scheduler.awaitingHosts(route.domain(), endpoints));
        RetryScheduler current = scheduler;
        failures.addAnsweredListener(endpoint -> current.flushHost(endpoint));
    }

    private Instant onlyDueTime() throws Exception {
        List<MailKey> keys = new ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        assertThat(keys).hasSize(1);
        return RetryKey.dueOf(keys.get(0));
    }

    private Mail onlyWaitingMail() throws Exception {
        List<MailKey> keys = new ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        assertThat(keys).hasSize(1);
        return repository.retrieve(keys.get(0));
    }

    private static MailImpl mail(String recipient) throws Exception {
        return MailImpl.builder().name("mail-" + System.nanoTime()).sender("sender@senders.test")
            .addRecipient(recipient)
            .mimeMessage(org.apache.james.core.builder.MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("body").build())
            .build();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A clock the test sets. */
}
