package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
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

    @Test
    void aRetryThatThrowsKeepsTheUnsettledRecipientsUnderANewLaterKey() throws Exception {
        processor.process(mail("user@retry.test"), table);
        MailKey original = repository.list().next();
        scheduler = new RetryScheduler(queue, mail -> {
            throw new javax.mail.MessagingException("repository full");
        }, returnedToJames::add, clock, new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10));

        clock.set(onlyDueTime());
        scheduler.tick();

        MailKey kept = repository.list().next();
        assertThat(kept).isNotEqualTo(original);
        assertThat(RetryKey.dueOf(kept)).isEqualTo(clock.instant().plus(RetryScheduler.ERROR_DELAY));
        assertThat(repository.retrieve(kept).getRecipients()).containsExactly(new MailAddress("user@retry.test"));
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

    @Test
    void aRouteFlushMakesOnlyThatRoutesWaitingMailsDueNow() throws Exception {
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

    private void useProcessor(RetryPolicy policy) {
        HostFailures failures = new HostFailures(Clock.systemUTC());
        // These tests move the scheduler's clock, not the host backoff: keep hosts out of it.
        failures.configureBackoff(Duration.ofMillis(1), Duration.ofMillis(1));
        RouteDelivery delivery = new RouteDelivery(
            new HostPlanner(new InMemoryDNSService(), new RoundRobin(), failures),
            new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2))),
            new HostAdmission(failures));
        if (scheduler != null) {
            scheduler.stop(Duration.ofSeconds(1));
        }
        scheduler = new RetryScheduler(queue, mail -> processor.process(mail, table), returnedToJames::add, clock,
            new RetryScheduler.Settings(Duration.ofSeconds(1), 1, 10));
        processor = new RoutedMailProcessor(delivery, new Bouncer(context, Optional.of("bounces")), queue, policy, clock,
            route -> scheduler.flush(route.domain()), new DelayWarnings(Optional.empty(), "delay-warnings", context));
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
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
