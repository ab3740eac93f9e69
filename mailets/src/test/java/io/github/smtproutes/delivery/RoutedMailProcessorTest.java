package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.retry.RetryState;
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
 * How the processor settles recipients, against real scripted SMTP hosts: in particular that a
 * retry repository which refuses to store never loses a recipient.
 */
class RoutedMailProcessorTest {
    ScriptedSmtpServer healthy;
    ScriptedSmtpServer busy;
    FakeMailContext context;
    MemoryMailRepository repository;
    RoutedMailProcessor processor;
    RouteTable table;
    HostFailures failures;

    @BeforeEach
    void setUp() {
        healthy = ScriptedSmtpServer.start();
        busy = ScriptedSmtpServer.start().reply(SmtpPhase.CONNECT, "421 4.3.1 Mail system full");
        context = FakeMailContext.defaultContext();
        table = RouteTable.of("test", List.of(
            Route.builder("ok.test").hosts(RouteHost.of("127.0.0.1", healthy.port(), 0)).build(),
            Route.builder("busy.test").hosts(RouteHost.of("127.0.0.1", busy.port(), 0)).build()));
    }

    @AfterEach
    void tearDown() {
        healthy.close();
        busy.close();
    }

    @Test
    void deferredRecipientsAreStoredAndTheMailIsGhosted() throws Exception {
        processorWith(new MemoryMailRepository());
        Mail mail = mail("a@ok.test", "b@busy.test");

        processor.process(mail, table);

        assertThat(mail.getState()).isEqualTo(Mail.GHOST);
        assertThat(mail.getRecipients()).isEmpty();
        assertThat(healthy.received()).singleElement().satisfies(received -> assertThat(received.recipients()).containsExactly("a@ok.test"));
        assertThat(repository.size()).isEqualTo(1);
        Mail waiting = repository.retrieve(repository.list().next());
        assertThat(waiting.getRecipients()).containsExactly(new MailAddress("b@busy.test"));
        assertThat(RetryState.attempts(waiting)).isEqualTo(1);
        assertThat(RetryState.lastError(waiting)).contains("421 4.3.1 Mail system full");
        assertThat(RetryState.mid(waiting)).isEqualTo(mail.getName());
    }

    @Test
    void aRepositoryThatCannotStoreLeavesTheUnsettledRecipientsOnTheMailAndThrows() throws Exception {
        processorWith(new MemoryMailRepository() {
            @Override
            public org.apache.james.mailrepository.api.MailKey store(Mail mail) {
                throw new IllegalStateException("disk full");
            }
        });
        Mail mail = mail("a@ok.test", "b@busy.test", "c@unrouted.test");

        assertThatThrownBy(() -> processor.process(mail, table)).hasMessageContaining("disk full");

        // a@ok.test was delivered and must not be sent again; b and c stay for James's error processing.
        assertThat(mail.getRecipients()).containsExactly(new MailAddress("c@unrouted.test"), new MailAddress("b@busy.test"));
        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
        assertThat(healthy.received()).hasSize(1);
    }

    @Test
    void recipientsOfAFixedHostRouteShareTransactionsOfAtMost100() throws Exception {
        processorWith(new MemoryMailRepository());
        RouteTable all = RouteTable.of("test", List.of(Route.builder("ALL").hosts(RouteHost.of("127.0.0.1", healthy.port(), 0)).build()));
        String[] recipients = new String[150];
        for (int i = 0; i < recipients.length; i++) {
            recipients[i] = "user" + i + "@d" + (i % 3) + ".test";
        }

        processor.process(mail(recipients), all);

        assertThat(healthy.received()).extracting(received -> received.recipients().size()).containsExactly(100, 50);
    }

    @Test
    void unroutedRecipientsStayOnTheMailForTheNextMailet() throws Exception {
        processorWith(new MemoryMailRepository());
        Mail mail = mail("a@ok.test", "c@unrouted.test");

        processor.process(mail, table);

        assertThat(mail.getRecipients()).containsExactly(new MailAddress("c@unrouted.test"));
        assertThat(mail.getState()).isNotEqualTo(Mail.GHOST);
    }

    @Test
    void theLastAllowedAttemptBouncesAsAnExpiredTemporaryFailure() throws Exception {
        processorWith(new MemoryMailRepository(), new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1, Duration.ofHours(1)));
        Mail mail = mail("b@busy.test");

        processor.process(mail, table);

        assertThat(repository.size()).isZero();
        assertThat(context.getSentMails()).singleElement().satisfies(bounce -> {
            assertThat(bounce.getState()).isEqualTo("bounces");
            assertThat(bounce.getRecipients()).containsExactly(new MailAddress("b@busy.test"));
            assertThat(attribute(bounce, Bouncer.IS_DELIVERY_PERMANENT_ERROR)).isEqualTo(false);
            assertThat(attribute(bounce, Bouncer.DELIVERY_ERROR_CODE)).isEqualTo(421);
            assertThat(attribute(bounce, Bouncer.DELIVERY_ERROR)).isEqualTo("421 4.3.1 Mail system full");
        });
    }

    @Test
    void aMessageThatCannotBeReadGoesToJamesErrorHandlingWithoutFailoverOrRetry() throws Exception {
        ScriptedSmtpServer second = ScriptedSmtpServer.start();
        try {
            table = RouteTable.of("test", List.of(Route.builder("two.test")
                .hosts(RouteHost.of("127.0.0.1", healthy.port(), 0), RouteHost.of("127.0.0.1", second.port(), 10)).build()));
            processorWith(new MemoryMailRepository());
            Mail mail = mail("a@two.test", "c@unrouted.test");
            // As a repository's mail whose body file has gone: the content source cannot be read.
            ((MailImpl) mail).setMessageContent(new org.apache.james.server.core.MimeMessageSource() {
                @Override
                public String getSourceId() {
                    return "gone";
                }

                @Override
                public java.io.InputStream getInputStream() throws java.io.IOException {
                    throw new java.io.IOException("body file missing");
                }
            });

            assertThatThrownBy(() -> processor.process(mail, table))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("failure on this side: local error reading the message: IOException: body file missing");

            // Kept for James's error processor; not retried, not sent to the second host, no host blamed.
            assertThat(mail.getRecipients()).containsExactly(new MailAddress("c@unrouted.test"), new MailAddress("a@two.test"));
            assertThat(repository.size()).isZero();
            assertThat(healthy.received()).isEmpty();
            assertThat(second.connectionCount()).isZero();
            assertThat(failures.failures()).as("nothing recorded against a host").isEmpty();
        } finally {
            second.close();
        }
    }

    private static Object attribute(FakeMailContext.SentMail mail, org.apache.mailet.AttributeName name) {
        return Optional.ofNullable(mail.getAttributes().get(name)).map(attribute -> attribute.getValue().value()).orElse(null);
    }

    private void processorWith(MemoryMailRepository repository) {
        processorWith(repository, RetryPolicy.DEFAULT);
    }

    private void processorWith(MemoryMailRepository repository, RetryPolicy policy) {
        this.repository = repository;
        failures = new HostFailures(Clock.systemUTC());
        RouteDelivery delivery = new RouteDelivery(
            new HostPlanner(new org.apache.james.dnsservice.api.InMemoryDNSService(), new RoundRobin(), failures),
            new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2))),
            new HostAdmission(failures));
        processor = new RoutedMailProcessor(delivery, new Bouncer(context, Optional.of("bounces")), new RetryQueue(repository),
            policy, Clock.systemUTC(), route -> { });
    }

    private static Mail mail(String... recipients) throws MessagingException {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder()
            .setSubject("test")
            .setText("body")
            .build();
        MailImpl.Builder builder = MailImpl.builder().name("mail-" + System.nanoTime()).sender("sender@senders.test").mimeMessage(message);
        for (String recipient : recipients) {
            builder.addRecipient(recipient);
        }
        return builder.build();
    }
}
