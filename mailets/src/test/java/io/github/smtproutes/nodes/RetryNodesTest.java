package io.github.smtproutes.nodes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.testing.MovableClock;
import io.github.smtproutes.retry.RetryState;

/**
 * Several nodes sharing one store of mail repositories, each a {@link RetryNodes} with a movable
 * clock: who holds a lease, who adopts a dead node's queue, what the adopted mail keeps, and what
 * a race between two adopters leaves.
 */
class RetryNodesTest {
    static final String BASE = "memory://var/mail/smtp-routes/retry/";
    static final Duration LEASE = Duration.ofMinutes(5);
    static final Duration RENEW = Duration.ofSeconds(10);

    final MovableClock clock = new MovableClock(Instant.parse("2026-12-01T10:00:00Z"));
    final Map<String, MailRepository> store = new HashMap<>();

    @Test
    void aLiveNodesQueueIsLeftAlone() throws Exception {
        RetryNodes a = node("a");
        RetryNodes b = node("b");
        a.tick();
        b.tick();
        waitingMail(queueOf("b"), "m1", 3);

        a.tick();
        b.tick();

        assertThat(keys(queueOf("b"))).hasSize(1);
        assertThat(keys(queueOf("a"))).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void aStoppedNodesMailIsAdoptedAfterItsLeaseWithAttemptsAndAgeKept() throws Exception {
        RetryNodes a = node("a");
        RetryNodes b = node("b");
        a.tick();
        b.tick();
        MailKey key = waitingMail(queueOf("b"), "m1", 3);
        b.close();

        clock.advance(LEASE.minusSeconds(1));
        a.tick();
        assertThat(keys(queueOf("b"))).containsExactly(key);

        clock.advance(Duration.ofSeconds(2));
        a.tick();

        assertThat(keys(queueOf("b"))).isEmpty();
        assertThat(keys(queueOf("a"))).containsExactly(key);
        Mail adopted = queueOf("a").retrieve(key);
        assertThat(RetryState.attempts(adopted)).isEqualTo(3);
        assertThat(RetryState.firstAttempt(adopted)).contains(FIRST);
        assertThat(RetryState.mid(adopted)).isEqualTo("m1");
        assertThat(adopted.getRecipients()).containsExactly(new MailAddress("user@route.test"));
        assertThat(a.nodes()).filteredOn(view -> view.nodeId.equals("b"))
            .singleElement().satisfies(view -> {
                assertThat(view.live).isFalse();
                assertThat(view.adoptedBy).contains("a");
                assertThat(view.waiting).isZero();
            });
        a.close();
    }

    @Test
    void onlyTheLiveNodeWithTheLowestIdAdopts() throws Exception {
        RetryNodes a = node("a");
        RetryNodes b = node("b");
        RetryNodes c = node("c");
        a.tick();
        b.tick();
        c.tick();
        waitingMail(queueOf("c"), "m1", 1);
        c.close();
        clock.advance(LEASE.minusSeconds(10));
        a.tick();
        b.tick();
        clock.advance(Duration.ofSeconds(20));

        b.tick();
        assertThat(keys(queueOf("b"))).as("b is not the lowest live id").isEmpty();
        a.tick();

        assertThat(keys(queueOf("a"))).hasSize(1);
        assertThat(keys(queueOf("c"))).isEmpty();
        a.close();
        b.close();
    }

    @Test
    void twoAdoptersThatRaceKeepEveryMailAndAtMostTwoCopies() throws Exception {
        RetryNodes a = node("a");
        RetryNodes b = node("b");
        RetryNodes dead = node("z");
        a.tick();
        b.tick();
        dead.tick();
        List<MailKey> waiting = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            waiting.add(waitingMail(queueOf("z"), "m" + i, 2));
        }
        dead.close();
        clock.advance(LEASE.plusSeconds(1));

        // Both believe they adopt: each forced, at the same time, as two nodes whose views of
        // the leases differ would.
        Thread other = new Thread(() -> adoptQuietly(b));
        other.start();
        a.adoptNow("z", true);
        other.join();

        List<MailKey> adopted = new ArrayList<>(keys(queueOf("a")));
        adopted.addAll(keys(queueOf("b")));
        assertThat(keys(queueOf("z"))).isEmpty();
        assertThat(adopted).containsAll(waiting);
        assertThat(adopted.size()).isBetween(waiting.size(), 2 * waiting.size());
        a.close();
        b.close();
    }

    @Test
    void aNodeGivenAnIdAdoptsTheUnsuffixedQueue() throws Exception {
        MailKey key = waitingMail(repository(BASE), "old", 4);
        RetryNodes a = node("a");
        a.tick();

        a.tick();

        assertThat(keys(repository(BASE))).isEmpty();
        assertThat(keys(queueOf("a"))).containsExactly(key);
        a.close();
    }

    @Test
    void anOperatorIsRefusedALiveNodesQueueUnlessForced() throws Exception {
        RetryNodes a = node("a");
        RetryNodes b = node("b");
        a.tick();
        b.tick();
        waitingMail(queueOf("b"), "m1", 1);

        assertThat(a.adoptNow("b", false).verdict).isEqualTo(RetryNodes.Verdict.LEASE_LIVE);
        assertThat(keys(queueOf("b"))).hasSize(1);
        assertThat(a.adoptNow("nobody", false).verdict).isEqualTo(RetryNodes.Verdict.UNKNOWN_NODE);
        assertThat(a.adoptNow("a", true).verdict).isEqualTo(RetryNodes.Verdict.SELF);

        RetryNodes.AdoptResult forced = a.adoptNow("b", true);

        assertThat(forced.verdict).isEqualTo(RetryNodes.Verdict.ADOPTED);
        assertThat(forced.adopted).isEqualTo(1);
        assertThat(keys(queueOf("a"))).hasSize(1);
        a.close();
        b.close();
    }

    @Test
    void aNodeThatCannotRenewItsLeaseStopsRetryingUntilItCan() throws Exception {
        FlakyRepository leases = new FlakyRepository();
        store.put(BASE + "_nodes/", leases);
        RetryNodes a = node("a");
        a.tick();
        assertThat(a.holdsLease()).isTrue();

        leases.failing = true;
        a.tick();
        assertThat(a.holdsLease()).isFalse();

        leases.failing = false;
        a.tick();
        assertThat(a.holdsLease()).isTrue();
        a.close();
    }

    @Test
    void aNodeIdMustBeAPlainNameAndTheLeaseMustOutlastTwoRenewals() {
        assertThatThrownBy(() -> NodeLayout.of(BASE, "../x", LEASE, RENEW)).hasMessageContaining("retryNodeId '../x'");
        assertThatThrownBy(() -> NodeLayout.of(BASE, "_nodes", LEASE, RENEW)).hasMessageContaining("retryNodeId '_nodes'");
        assertThatThrownBy(() -> NodeLayout.of(BASE, "a", Duration.ofSeconds(20), RENEW)).hasMessageContaining("two retryInterval");
        NodeLayout layout = NodeLayout.of("cassandra://var/mail/smtp-routes/retry", "james-0", LEASE, RENEW);
        assertThat(layout.ownQueue()).isEqualTo("cassandra://var/mail/smtp-routes/retry/james-0/");
        assertThat(layout.leaseBook()).isEqualTo("cassandra://var/mail/smtp-routes/retry/_nodes/");
        assertThat(layout.unsuffixedQueue()).isEqualTo("cassandra://var/mail/smtp-routes/retry");
    }

    static final Instant FIRST = Instant.parse("2026-11-30T08:00:00Z");

    private RetryNodes node(String id) throws MessagingException {
        NodeLayout layout = NodeLayout.of(BASE, id, LEASE, RENEW);
        return new RetryNodes(layout, new LeaseBook(repository(layout.leaseBook())), this::repository,
            new RetryQueue(repository(layout.ownQueue())), new QueueTakeover(Duration.ofMillis(20)), clock, RENEW);
    }

    private MailRepository queueOf(String node) {
        return repository(BASE + node + "/");
    }

    private synchronized MailRepository repository(String url) {
        return store.computeIfAbsent(url, any -> new MemoryMailRepository());
    }

    /** A mail as the retry queue stores it: a retry key name and its bookkeeping attributes. */
    private MailKey waitingMail(MailRepository queue, String mid, int attempts) throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder().setSubject(mid).setText("body").build();
        MailImpl mail = MailImpl.builder().name("seed").sender("sender@senders.test")
            .addRecipients("user@route.test").mimeMessage(message).build();
        RetryQueue queueView = new RetryQueue(queue);
        MailKey key = queueView.enqueue(mail, List.of(new MailAddress("user@route.test")),
            new RetryQueue.Entry(mid, "route.test", attempts, FIRST, clock.instant().plusSeconds(600), "421 4.3.0 Later", 421));
        mail.dispose();
        return key;
    }

    private static List<MailKey> keys(MailRepository repository) throws MessagingException {
        List<MailKey> keys = new ArrayList<>();
        Iterator<MailKey> listed = repository.list();
        listed.forEachRemaining(keys::add);
        return keys;
    }

    private static void adoptQuietly(RetryNodes node) {
        try {
            node.adoptNow("z", true);
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }


    /** A memory repository whose stores fail while {@link #failing}: a store that is unreachable. */
    static final class FlakyRepository extends MemoryMailRepository {
        volatile boolean failing;

        @Override
        public MailKey store(Mail mail) {
            if (failing) {
                throw new IllegalStateException("store unreachable");
            }
            return super.store(mail);
        }
    }
}
