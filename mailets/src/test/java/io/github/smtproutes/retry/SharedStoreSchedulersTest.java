package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.dnsservice.api.InMemoryDNSService;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
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
import io.github.smtproutes.nodes.LeaseBook;
import io.github.smtproutes.nodes.NodeLayout;
import io.github.smtproutes.nodes.QueueTakeover;
import io.github.smtproutes.nodes.RetryNodes;
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
 * Two nodes, each a full retry path (route delivery, retry queue, scheduler, lease) over one
 * shared store of mail repositories and one movable clock, delivering to a real scripted host:
 * during a long outage no node touches the other's mail and the number of waiting copies never
 * grows; when the host is back every mail arrives once; a node that stops has its mail adopted
 * and delivered once by the other, with its attempts carried over.
 */
class SharedStoreSchedulersTest {
    static final String BASE = "memory://var/mail/smtp-routes/retry/";
    static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
    static final Duration LEASE = Duration.ofHours(3);

    final Map<String, MailRepository> store = new ConcurrentHashMap<>();
    final MovableClock clock = new MovableClock(START);
    ScriptedSmtpServer host;
    RouteTable table;
    Node nodeA;
    Node nodeB;

    @BeforeEach
    void setUp() throws Exception {
        host = ScriptedSmtpServer.start().withName("shared").reply(SmtpPhase.RCPT, "451 4.3.0 Try later");
        table = RouteTable.of("test", List.of(Route.builder("shared.test").hosts(RouteHost.of("127.0.0.1", host.port(), 0)).build()));
        nodeA = new Node("a");
        nodeB = new Node("b");
    }

    @AfterEach
    void tearDown() {
        host.close();
    }

    @Test
    void aLongOutageNeverMultipliesCopiesAndEveryMailArrivesOnceAfterIt() throws Exception {
        List<String> recipients = sendFiveEach();
        assertThat(waitingCopies()).isEqualTo(10);

        for (int round = 0; round < 24; round++) {
            clock.advance(Duration.ofMinutes(61));
            nodeA.round();
            nodeB.round();
            assertThat(waitingCopies()).as("waiting copies after round %d", round).isEqualTo(10);
            assertThat(keysOf(nodeA.queueUrl)).as("node a keeps only its own").allSatisfy(key -> assertThat(ownerOf(key)).isEqualTo("a"));
            assertThat(keysOf(nodeB.queueUrl)).as("node b keeps only its own").allSatisfy(key -> assertThat(ownerOf(key)).isEqualTo("b"));
        }

        host.heal();
        clock.advance(Duration.ofMinutes(61));
        nodeA.round();
        nodeB.round();

        assertThat(received()).containsExactlyInAnyOrderElementsOf(recipients);
        assertThat(waitingCopies()).isZero();
    }

    @Test
    void aStoppedNodesMailIsAdoptedWithItsAttemptsAndDeliveredOnce() throws Exception {
        List<String> recipients = sendFiveEach();
        for (int round = 0; round < 3; round++) {
            clock.advance(Duration.ofMinutes(61));
            nodeA.round();
            nodeB.round();
        }
        int attemptsOfB = attemptsIn(nodeB.queueUrl).get(0);
        assertThat(attemptsOfB).isGreaterThan(1);

        // Node b stops; its lease runs out while node a carries on.
        for (int round = 0; round < 4; round++) {
            clock.advance(Duration.ofMinutes(61));
            nodeA.round();
        }
        assertThat(keysOf(nodeB.queueUrl)).isEmpty();
        assertThat(attemptsIn(nodeA.queueUrl)).hasSize(10).allSatisfy(attempts -> assertThat(attempts).isGreaterThanOrEqualTo(attemptsOfB));

        host.heal();
        clock.advance(Duration.ofMinutes(61));
        nodeA.round();

        assertThat(received()).containsExactlyInAnyOrderElementsOf(recipients);
        assertThat(waitingCopies()).isZero();
    }

    private List<String> sendFiveEach() throws Exception {
        List<String> recipients = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            recipients.add(nodeA.send("a" + i + "@shared.test"));
            recipients.add(nodeB.send("b" + i + "@shared.test"));
        }
        return recipients;
    }

    private List<String> received() {
        return host.received().stream().flatMap(mail -> mail.recipients().stream()).collect(Collectors.toList());
    }

    /** Every waiting mail in the store, whichever node's queue holds it (the leases excluded). */
    private long waitingCopies() throws Exception {
        long count = 0;
        for (Map.Entry<String, MailRepository> repository : store.entrySet()) {
            if (!repository.getKey().endsWith("_nodes/")) {
                count += repository.getValue().size();
            }
        }
        return count;
    }

    private List<MailKey> keysOf(String url) throws Exception {
        List<MailKey> keys = new ArrayList<>();
        Iterator<MailKey> listed = repository(url).list();
        listed.forEachRemaining(keys::add);
        return keys;
    }

    /** Which node a waiting mail was first sent through: its recipient's local part starts with the node id. */
    private String ownerOf(MailKey key) throws Exception {
        Mail mail = findMail(key);
        try {
            return mail.getRecipients().iterator().next().getLocalPart().substring(0, 1);
        } finally {
            ((MailImpl) mail).dispose();
        }
    }

    private Mail findMail(MailKey key) throws Exception {
        for (MailRepository repository : store.values()) {
            Mail mail = repository.retrieve(key);
            if (mail != null) {
                return mail;
            }
        }
        throw new AssertionError("no mail " + key.asString());
    }

    private List<Integer> attemptsIn(String url) throws Exception {
        List<Integer> attempts = new ArrayList<>();
        for (MailKey key : keysOf(url)) {
            Mail mail = repository(url).retrieve(key);
            attempts.add(RetryState.attempts(mail));
            ((MailImpl) mail).dispose();
        }
        return attempts;
    }

    private MailRepository repository(String url) {
        return store.computeIfAbsent(url, any -> new MemoryMailRepository());
    }

    /** One James node: its own host health, route delivery, retry queue, scheduler and lease. */
    private final class Node {
        final String queueUrl;
        final RetryNodes nodes;
        final RetryScheduler scheduler;
        final RoutedMailProcessor processor;

        Node(String id) throws Exception {
            NodeLayout layout = NodeLayout.of(BASE, id, LEASE, Duration.ofSeconds(10));
            queueUrl = layout.ownQueue();
            RetryQueue queue = new RetryQueue(repository(queueUrl));
            HostFailures failures = new HostFailures(Clock.systemUTC());
            failures.configureBackoff(Duration.ofMillis(1), Duration.ofMillis(1));
            RouteDelivery delivery = new RouteDelivery(
                new HostPlanner(new InMemoryDNSService(), new RoundRobin(), failures),
                new SmtpHostClient(new ClientSettings("relay.test", Duration.ofSeconds(2), Duration.ofSeconds(2))),
                new HostAdmission(failures));
            FakeMailContext context = FakeMailContext.defaultContext();
            RoutedMailProcessor[] self = new RoutedMailProcessor[1];
            scheduler = new RetryScheduler(queue, mail -> self[0].process(mail, table), mail -> { }, clock,
                new RetryScheduler.Settings(Duration.ofSeconds(10), 1, 100));
            processor = new RoutedMailProcessor(delivery, new Bouncer(context, Optional.of("bounces")), queue, RetryPolicy.DEFAULT, clock,
                route -> scheduler.flush(route.domain()), new DelayWarnings(Optional.empty(), "delay-warnings", context));
            self[0] = processor;
            nodes = new RetryNodes(layout, new LeaseBook(repository(layout.leaseBook())), SharedStoreSchedulersTest.this::repository,
                queue, new QueueTakeover(Duration.ofMillis(10)), clock, Duration.ofSeconds(10));
            scheduler.retryOnlyWhile(nodes::holdsLease);
            nodes.tick();
        }

        String send(String recipient) throws Exception {
            MailImpl mail = MailImpl.builder().name("mail-" + recipient).sender("sender@senders.test").addRecipient(recipient)
                .mimeMessage(MimeMessageBuilder.mimeMessageBuilder().setSubject(recipient).setText("body").build())
                .build();
            try {
                processor.process(mail, table);
            } finally {
                mail.dispose();
            }
            return recipient;
        }

        /** What the node does every retry interval: renew its lease (adopting what is due), then retry its due mail. */
        void round() throws Exception {
            nodes.tick();
            scheduler.tick();
        }
    }
}
