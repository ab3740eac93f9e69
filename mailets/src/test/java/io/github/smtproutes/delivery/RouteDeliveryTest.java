package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteTable;
import io.github.smtproutes.smtp.ClientSettings;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.smtp.OutboundMessage;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.testing.ScriptedSmtpServer;

/**
 * A walk through a route's hosts against real scripted SMTP hosts: turns given back on every
 * path, a failure on this side that keeps what earlier hosts accepted, and a mail deferred
 * without any connection when no host is admitted.
 */
class RouteDeliveryTest {
    final ScriptedSmtpServer first = ScriptedSmtpServer.start().withName("first");
    final ScriptedSmtpServer second = ScriptedSmtpServer.start().withName("second");
    final HostFailures failures = new HostFailures(Clock.systemUTC());
    final HostAdmission admission = new HostAdmission(failures);
    final ConnectionPool pool = ConnectionPool.withDefaults(Clock.systemUTC());
    final SmtpHostClient client = new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2)), pool);
    final HostProber prober = new HostProber(client, failures, "test-probe");
    final Route route = Route.builder("walk.test").hosts(
        RouteHost.of("127.0.0.1", first.port(), 0),
        RouteHost.of("127.0.0.1", second.port(), 10)).build();

    @AfterEach
    void close() {
        prober.close();
        pool.close();
        first.close();
        second.close();
    }

    @Test
    void aFailureOnThisSideAtALaterHostKeepsWhatAnEarlierHostAcceptedAndBlamesNoHost() throws Exception {
        first.rcptReply("b@walk.test", "451 4.2.0 Try again later");
        RouteDelivery delivery = delivery(throwingAt(host -> host.port() == second.port(), Integer.MAX_VALUE));

        RouteResult result = delivery.deliver(route, "walk.test", message(), List.of(address("a@walk.test"), address("b@walk.test")));

        assertThat(result.delivered()).containsExactly(address("a@walk.test"));
        assertThat(result.failedLocally()).containsExactly(address("b@walk.test"));
        assertThat(result.localFailure()).isPresent();
        assertThat(result.deferred()).isEmpty();
        assertThat(failures.failures()).as("nothing recorded against a host").isEmpty();
        assertThat(first.received()).hasSize(1);
    }

    @Test
    void theProcessorSendsOnlyTheRecipientsLeftByAFailureOnThisSideToJamesErrorHandling() throws Exception {
        first.rcptReply("b@walk.test", "451 4.2.0 Try again later");
        FakeMailContext context = FakeMailContext.defaultContext();
        RoutedMailProcessor processor = new RoutedMailProcessor(delivery(throwingAt(host -> host.port() == second.port(), Integer.MAX_VALUE)),
            new Bouncer(context, Optional.of("bounces")), new RetryQueue(new MemoryMailRepository()), RetryPolicy.DEFAULT,
            Clock.systemUTC(), accepted -> { });
        Mail mail = mail("a@walk.test", "b@walk.test");

        assertThatThrownBy(() -> processor.process(mail, RouteTable.of("test", List.of(route)))).hasMessageContaining("failure on this side");

        // a@walk.test was accepted by the first host: sending it again would be a duplicate.
        assertThat(mail.getRecipients()).containsExactly(address("b@walk.test"));
        assertThat(first.received()).singleElement().satisfies(received -> assertThat(received.recipients()).containsExactly("a@walk.test"));
    }

    @Test
    void aTurnIsGivenBackWhenSomethingThrowsBeforeTheTransaction() throws Exception {
        admission.configureWait(Duration.ofMillis(300), 10);
        RouteDelivery delivery = delivery(throwingAt(host -> true, 2));
        Route single = Route.builder("single.test").hosts(RouteHost.of("127.0.0.1", first.port(), 0)).build();

        for (int i = 0; i < 2; i++) {
            RouteResult failed = delivery.deliver(single, "single.test", message(), List.of(address("a@single.test")));
            assertThat(failed.localFailure()).isPresent();
        }
        // Both of the first sessions' places of a host never heard from were given back.
        RouteResult result = delivery.deliver(single, "single.test", message(), List.of(address("a@single.test")));

        assertThat(result.delivered()).containsExactly(address("a@single.test"));
        assertThat(first.received()).hasSize(1);
    }

    @Test
    void whenNoHostIsAdmittedTheMailIsDeferredWithoutAnyConnectionAndNamesTheHostsItWaitsFor() throws Exception {
        failures.failed("127.0.0.1:" + first.port(), "421 4.3.2 Down");
        failures.failed("127.0.0.1:" + second.port(), "Connection refused");

        RouteResult result = delivery(DeliveryMetrics.NONE).deliver(route, "walk.test", message(), List.of(address("a@walk.test")));

        assertThat(result.anyHostAsked()).isFalse();
        assertThat(result.waitedFor()).containsExactlyInAnyOrder(first.address(), second.address());
        // They wait with the reply that made the last of those hosts fail, what a DSN would quote.
        assertThat(result.deferred()).singleElement().satisfies(deferred -> assertThat(deferred.reply().text()).isEqualTo("Connection refused"));
        assertThat(first.connectionCount() + second.connectionCount()).isZero();
    }

    @Test
    void aDeferralWithoutAnyConnectionQuotesTheHostsLastReply() throws Exception {
        failures.failed("127.0.0.1:" + first.port(), "Connection refused");
        failures.failed("127.0.0.1:" + second.port(), "451 4.3.0 Temporarily unavailable");

        RouteResult result = delivery(DeliveryMetrics.NONE).deliver(route, "walk.test", message(), List.of(address("a@walk.test")));

        assertThat(result.deferred()).singleElement().satisfies(deferred -> {
            assertThat(deferred.reply().code()).isEqualTo(451);
            assertThat(deferred.reply().enhancedCode()).contains("4.3.0");
        });
    }

    @Test
    void aLowerPriorityNeverJumpsAheadOfAHostStillProvingItselfAndTheMailWaitsForBoth() throws Exception {
        admission.configureWait(Duration.ofMillis(300), 10);
        // The preferred host's first two sessions are under way and give no verdict in time.
        HostAdmission.Turn one = admission.admit(first.address(), route.domain(), false);
        HostAdmission.Turn two = admission.admit(first.address(), route.domain(), false);

        RouteResult result = delivery(DeliveryMetrics.NONE).deliver(route, "walk.test", message(), List.of(address("a@walk.test")));

        assertThat(result.anyHostAsked()).isFalse();
        assertThat(result.deferred()).singleElement().satisfies(deferred ->
            assertThat(deferred.reply().text()).contains("not proven yet").contains("no verdict within 300 ms"));
        assertThat(result.waitedFor()).containsExactlyInAnyOrder(first.address(), second.address());
        assertThat(second.connectionCount()).isZero();
        one.close();
        two.close();
    }

    @Test
    void aHostThatFailsIsWaitedForAndTheHostThatWasAskedCountsAsAsked() throws Exception {
        first.reply(io.github.smtproutes.testing.SmtpPhase.CONNECT, "421 4.3.2 Down");
        second.reply(io.github.smtproutes.testing.SmtpPhase.CONNECT, "421 4.3.2 Down too");

        RouteResult result = delivery(DeliveryMetrics.NONE).deliver(route, "walk.test", message(), List.of(address("a@walk.test")));

        assertThat(result.anyHostAsked()).isTrue();
        assertThat(result.waitedFor()).containsExactlyInAnyOrder(first.address(), second.address());
        assertThat(result.deferred()).singleElement().satisfies(deferred -> assertThat(deferred.reply().text()).isEqualTo("421 4.3.2 Down too"));
    }

    private RouteDelivery delivery(DeliveryMetrics metrics) {
        return new RouteDelivery(new HostPlanner(new InMemoryDNSService(), new RoundRobin(), failures), client, admission, metrics, prober);
    }

    /** Metrics whose transaction timer throws for matching hosts, the first {@code times} times. */
    private static DeliveryMetrics throwingAt(Predicate<HostAddress> hosts, int times) {
        AtomicInteger thrown = new AtomicInteger();
        return new DeliveryMetrics() {
            @Override
            public void delivered(Route route, int recipients) {
            }

            @Override
            public void failedOver(Route route) {
            }

            @Override
            public void queuedForRetry(Route route, int recipients) {
            }

            @Override
            public void bounced(Route route, int recipients) {
            }

            @Override
            public void dropped(Route route, int recipients) {
            }

            @Override
            public void hostDelivered(HostAddress host) {
            }

            @Override
            public void hostFailed(HostAddress host, String reason) {
            }

            @Override
            public HostTimer hostTransaction(HostAddress host) {
                if (hosts.test(host) && thrown.getAndIncrement() < times) {
                    throw new IllegalStateException("a bug on this side");
                }
                return () -> { };
            }
        };
    }

    private static OutboundMessage message() throws Exception {
        return new OutboundMessage("mid-1", MaybeSender.getMailSender("sender@senders.test"), mimeMessage(),
            List.of(address("a@walk.test"), address("b@walk.test")));
    }

    private static MimeMessage mimeMessage() throws Exception {
        return MimeMessageBuilder.mimeMessageBuilder().setSubject("walk").setText("body").build();
    }

    private static Mail mail(String... recipients) throws Exception {
        MailImpl.Builder builder = MailImpl.builder().name("mail-" + System.nanoTime()).sender("sender@senders.test").mimeMessage(mimeMessage());
        for (String recipient : recipients) {
            builder.addRecipient(recipient);
        }
        return builder.build();
    }

    private static MailAddress address(String address) {
        try {
            return new MailAddress(address);
        } catch (javax.mail.internet.AddressException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
