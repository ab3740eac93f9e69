package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import javax.mail.internet.MimeMessage;

import org.apache.james.core.MailAddress;
import org.apache.james.core.builder.MimeMessageBuilder;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.memory.MemoryMailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The retry queue on a real James MemoryMailRepository: what is due, in which order, and flush/reschedule. */
class RetryQueueTest {
    static final Instant NOW = Instant.parse("2024-05-01T10:00:00Z");

    MemoryMailRepository repository;
    RetryQueue queue;

    @BeforeEach
    void setUp() {
        repository = new MemoryMailRepository();
        queue = new RetryQueue(repository);
    }

    @Test
    void dueGivesTheEarliestDueKeysFirstUpToTheLimit() throws Exception {
        MailKey late = enqueue("a.test", NOW.minusSeconds(10));
        MailKey earliest = enqueue("a.test", NOW.minusSeconds(30));
        MailKey middle = enqueue("b.test", NOW.minusSeconds(20));
        enqueue("a.test", NOW.plusSeconds(1));

        assertThat(queue.due(NOW, 10)).containsExactly(earliest, middle, late);
        assertThat(queue.due(NOW, 2)).containsExactly(earliest, middle);
    }

    @Test
    void aMailDueExactlyNowIsDueAndAForeignNameIsDueAtOnce() throws Exception {
        MailKey exactlyNow = enqueue("a.test", NOW);
        MailImpl foreign = mail("Mail-by-hand");
        repository.store(foreign);

        assertThat(queue.due(NOW, 10)).containsExactly(new MailKey("Mail-by-hand"), exactlyNow);
    }

    @Test
    void nothingIsDueBeforeItsTime() throws Exception {
        enqueue("a.test", NOW.plusMillis(1));

        assertThat(queue.due(NOW, 10)).isEmpty();
        assertThat(queue.nextDue()).contains(NOW.plusMillis(1));
    }

    @Test
    void waitingNotDueFindsOneRoutesFutureKeysFromTheNamesAlone() throws Exception {
        MailKey future = enqueue("a.test", NOW.plusSeconds(600));
        enqueue("a.test", NOW.minusSeconds(1));
        enqueue("b.test", NOW.plusSeconds(600));

        assertThat(queue.waitingNotDue("a.test", NOW)).containsExactly(future);
    }

    @Test
    void keysBroughtForwardAreDueBeforeTheirTimeAndSkippedOnesNeverAre() throws Exception {
        MailKey broughtForward = queue.enqueue(mail("m1"), List.of(new MailAddress("user@a.test")),
            entry("a.test", NOW.plusSeconds(600)).waitingForHost());
        MailKey skipped = enqueue("a.test", NOW.minusSeconds(5));
        MailKey due = enqueue("b.test", NOW.minusSeconds(1));
        enqueue("a.test", NOW.plusSeconds(600));

        assertThat(queue.due(NOW, 10, broughtForward.asString()::equals, skipped.asString()::equals))
            .containsExactly(due, broughtForward);
        assertThat(RetryKey.parse(broughtForward.asString()).orElseThrow().waitsForHost()).isTrue();
    }

    @Test
    void theSuccessorKeyIsTheSameForTheSameRetryAndKeepsTheWaitClass() throws Exception {
        MailKey key = queue.enqueue(mail("m"), List.of(new MailAddress("user@a.test")), entry("a.test", NOW).waitingForHost());
        Mail first = repository.retrieve(key);
        Mail second = repository.retrieve(key);

        MailKey stored = queue.storeSuccessor(first, key, 4, NOW.plusMillis(1500));
        MailKey again = queue.storeSuccessor(second, key, 4, NOW.plusMillis(1500));

        assertThat(again).isEqualTo(stored);
        assertThat(RetryKey.parse(stored.asString()).orElseThrow().waitsForHost()).isTrue();
        assertThat(RetryKey.dueOf(stored)).isEqualTo(NOW.plusSeconds(2));
        Mail moved = repository.retrieve(stored);
        assertThat(RetryState.attempts(moved)).isEqualTo(4);
        assertThat(RetryState.route(moved)).contains("a.test");
        assertThat(keys()).containsExactlyInAnyOrder(key, stored);
    }

    @Test
    void enqueueStoresOnlyTheGivenRecipientsWithReadableAttributes() throws Exception {
        MailImpl mail = mail("original");
        queue.enqueue(mail, List.of(new MailAddress("b@a.test")), entry("a.test", NOW.plusSeconds(60)).delayWarned());

        Mail stored = repository.retrieve(keys().get(0));
        assertThat(stored.getRecipients()).containsExactly(new MailAddress("b@a.test"));
        assertThat(RetryState.firstAttempt(stored)).contains(NOW.minusSeconds(300));
        assertThat(RetryState.lastError(stored)).contains("451 4.3.0 Later");
        assertThat(RetryState.lastErrorCode(stored)).contains(451);
        assertThat(RetryState.delayWarned(stored)).isTrue();
        assertThat(mail.getRecipients()).hasSize(2);
    }

    /**
     * FileMailRepository lists a key before its files are written, and deletes a mail whose
     * retrieve() fails: a key offered in that window would be lost. This repository behaves the
     * same and holds the store open, so the window is certain.
     */
    @Test
    void aKeyBeingStoredIsNeverOfferedForRetrieval() throws Exception {
        java.util.concurrent.CountDownLatch listed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.Set<String> visibleEarly = java.util.concurrent.ConcurrentHashMap.newKeySet();
        queue = new RetryQueue(new MemoryMailRepository() {
            @Override
            public MailKey store(Mail mail) {
                visibleEarly.add(mail.getName());
                listed.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                MailKey key = super.store(mail);
                visibleEarly.remove(mail.getName());
                return key;
            }

            @Override
            public java.util.Iterator<MailKey> list() {
                List<MailKey> keys = new java.util.ArrayList<>();
                super.list().forEachRemaining(keys::add);
                visibleEarly.forEach(name -> keys.add(new MailKey(name)));
                return keys.iterator();
            }
        });
        Thread storing = new Thread(() -> {
            try {
                queue.enqueue(mail("m"), List.of(new MailAddress("user@a.test")), entry("a.test", NOW.minusSeconds(1)));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        storing.start();
        listed.await();

        assertThat(queue.due(NOW, 10)).isEmpty();
        assertThat(queue.waitingNotDue(NOW.minusSeconds(60))).isEmpty();
        assertThat(queue.waitingNotDue("a.test", NOW.minusSeconds(60))).isEmpty();

        release.countDown();
        storing.join();
        assertThat(queue.due(NOW, 10)).hasSize(1);
    }

    private MailKey enqueue(String route, Instant due) throws Exception {
        return queue.enqueue(mail("m"), List.of(new MailAddress("user@" + route)), entry(route, due));
    }

    private static RetryQueue.Entry entry(String route, Instant due) {
        return new RetryQueue.Entry("mid", route, 3, NOW.minusSeconds(300), due, "451 4.3.0 Later", 451);
    }

    private List<MailKey> keys() throws Exception {
        List<MailKey> keys = new java.util.ArrayList<>();
        repository.list().forEachRemaining(keys::add);
        return keys.stream().sorted(java.util.Comparator.comparing(MailKey::asString)).collect(Collectors.toList());
    }

    static MailImpl mail(String name) throws Exception {
        MimeMessage message = MimeMessageBuilder.mimeMessageBuilder().setSubject("s").setText("body").build();
        return MailImpl.builder().name(name).sender("sender@senders.test")
            .addRecipients("a@a.test", "b@a.test").mimeMessage(message).build();
    }
}
