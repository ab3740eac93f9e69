package io.github.smtproutes.retry;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;

import com.google.common.collect.Iterators;

/**
 * The retry queue: mails whose recipients failed at every host of their route, waiting in an
 * ordinary James {@link MailRepository} (memory, file, or any other James offers), so that they
 * survive restarts where the repository is durable and show in WebAdmin. Each waiting mail is
 * stored under a {@link RetryKey} that carries its due time.
 */
public final class RetryQueue {
    private final MailRepository repository;
    /**
     * Names this queue is writing right now. FileMailRepository lists a key before its files are
     * written, and a retrieve() in that window deletes the mail; so a key being stored is never
     * offered for retrieval.
     */
    private final Set<String> beingStored = ConcurrentHashMap.newKeySet();

    public RetryQueue(MailRepository repository) {
        this.repository = repository;
    }

    public MailRepository repository() {
        return repository;
    }

    /**
     * Stores a copy of {@code mail} for {@code recipients} only, due at {@code state.next}. The
     * copy is written before anything else changes: if this throws, nothing was queued and the
     * caller still holds the mail. The key derives from the mail's name (on a retry, the key it
     * was retrieved from) and the attempt number, so the same retry always stores the same key.
     */
    public MailKey enqueue(Mail mail, List<MailAddress> recipients, Entry state) throws MessagingException {
        RetryKey key = RetryKey.next(mail.getName(), state.mid, state.attempts, state.next, state.route, state.waitsForHost,
            namesOf(recipients));
        MailImpl copy = MailImpl.duplicateWithoutMessage(mail)
            .mimeMessage(mail.getMessage())
            .build();
        try {
            copy.setName(key.name());
            copy.setRecipients(recipients);
            copy.setState(Mail.DEFAULT);
            RetryState.write(copy, state.mid, state.route, state.attempts, state.first, state.next, state.lastError, state.lastErrorCode);
            if (state.delayWarned) {
                RetryState.markDelayWarned(copy);
            }
            return store(copy);
        } finally {
            // The builder copied the message (a temporary file for a large one); the repository
            // keeps its own copy, so this one is released now, not when the garbage collector runs.
            copy.dispose();
        }
    }

    /**
     * Stores a mail taken over from another node's queue as it is, under its own name: its due
     * time, attempts and first-attempt time come along.
     */
    public MailKey adopt(Mail mail) throws MessagingException {
        return store(mail);
    }

    private MailKey store(Mail mail) throws MessagingException {
        beingStored.add(mail.getName());
        try {
            return repository.store(mail);
        } finally {
            beingStored.remove(mail.getName());
        }
    }

    /** Keys that may be retrieved: listed, and not being written by this queue. */
    private Iterator<MailKey> storedKeys() throws MessagingException {
        Iterator<MailKey> listed = repository.list();
        return Iterators.filter(listed, key -> !beingStored.contains(key.asString()));
    }

    /**
     * Up to {@code max} keys due at {@code now}, earliest first, from the keys alone: no mail is
     * read, and at most {@code max} keys are held besides the repository's own listing.
     */
    public List<MailKey> due(Instant now, int max) throws MessagingException {
        return due(now, max, name -> false, name -> false);
    }

    /**
     * Up to {@code max} keys to retry now, earliest due first: those due at {@code now} and those
     * {@code broughtForward} (a flush or deliverNow made them due), leaving out {@code skipped}
     * ones (being delivered, or given up on for this run).
     */
    public List<MailKey> due(Instant now, int max, Predicate<String> broughtForward, Predicate<String> skipped)
            throws MessagingException {
        long nowMillis = now.toEpochMilli();
        PriorityQueue<Due> latestFirst = new PriorityQueue<>(Comparator.reverseOrder());
        Iterator<MailKey> keys = storedKeys();
        while (keys.hasNext()) {
            MailKey key = keys.next();
            String name = key.asString();
            long due = RetryKey.dueMillisOf(name);
            if ((due <= nowMillis || broughtForward.test(name)) && !skipped.test(name)) {
                latestFirst.add(new Due(due, key));
                if (latestFirst.size() > max) {
                    latestFirst.poll();
                }
            }
        }
        List<Due> earliestFirst = new ArrayList<>(latestFirst);
        earliestFirst.sort(Comparator.naturalOrder());
        return earliestFirst.stream().map(due -> due.key).collect(Collectors.toList());
    }

    /** Keys of the route of {@code routeDomain} that are not due yet at {@code now}, from the keys alone. */
    public List<MailKey> waitingNotDue(String routeDomain, Instant now) throws MessagingException {
        Optional<String> tag = Optional.of(RetryKey.routeTag(routeDomain));
        return notDue(now, name -> RetryKey.routeTagOf(name).equals(tag));
    }

    /** Keys of every route that are not due yet at {@code now}, from the keys alone. */
    public List<MailKey> waitingNotDue(Instant now) throws MessagingException {
        return notDue(now, name -> true);
    }

    private List<MailKey> notDue(Instant now, Predicate<String> selected) throws MessagingException {
        long nowMillis = now.toEpochMilli();
        List<MailKey> waiting = new ArrayList<>();
        Iterator<MailKey> keys = storedKeys();
        while (keys.hasNext()) {
            MailKey key = keys.next();
            String name = key.asString();
            if (RetryKey.dueMillisOf(name) > nowMillis && selected.test(name)) {
                waiting.add(key);
            }
        }
        return waiting;
    }

    /** The earliest due time of any waiting mail, if any wait. */
    public Optional<Instant> nextDue() throws MessagingException {
        Instant earliest = null;
        Iterator<MailKey> keys = repository.list();
        while (keys.hasNext()) {
            Instant due = RetryKey.dueOf(keys.next());
            if (earliest == null || due.isBefore(earliest)) {
                earliest = due;
            }
        }
        return Optional.ofNullable(earliest);
    }

    public Optional<Mail> retrieve(MailKey key) throws MessagingException {
        return Optional.ofNullable(repository.retrieve(key));
    }

    public void remove(MailKey key) throws MessagingException {
        repository.remove(key);
    }

    public void remove(Collection<MailKey> keys) throws MessagingException {
        repository.remove(keys);
    }

    public long size() throws MessagingException {
        return repository.size();
    }

    /**
     * Stores {@code mail} (as it is now, e.g. with fewer recipients) as its {@code attempts}-th
     * attempt due at {@code due}, under the successor of {@code oldKey} (same route tag and wait
     * class). The caller removes {@code oldKey} once this returned: store-new-before-remove-old.
     */
    public MailKey storeSuccessor(Mail mail, MailKey oldKey, int attempts, Instant due) throws MessagingException {
        boolean waitsForHost = RetryKey.parse(oldKey.asString()).map(RetryKey::waitsForHost).orElse(false);
        Instant rounded = RetryKey.roundedUp(due);
        RetryKey newKey = RetryKey.next(oldKey.asString(), RetryState.mid(mail), attempts, rounded, RetryState.route(mail).orElse(""), waitsForHost,
            namesOf(mail.getRecipients()));
        mail.setName(newKey.name());
        mail.setState(Mail.DEFAULT);
        mail.setAttribute(new Attribute(RetryState.ATTEMPTS, AttributeValue.of(attempts)));
        mail.setAttribute(new Attribute(RetryState.NEXT_ATTEMPT, AttributeValue.of(rounded.toString())));
        return store(mail);
    }

    private static String namesOf(Collection<MailAddress> recipients) {
        return recipients.stream().map(MailAddress::asString).sorted().collect(Collectors.joining(","));
    }

    /** A key and its due time, ordered by due time, then name. */
    private static final class Due implements Comparable<Due> {
        private final long due;
        private final MailKey key;

        Due(long due, MailKey key) {
            this.due = due;
            this.key = key;
        }

        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(due, other.due);
            return byTime != 0 ? byTime : key.asString().compareTo(other.key.asString());
        }
    }

    /** The bookkeeping written with a queued mail. */
    public static final class Entry {
        final String mid;
        final String route;
        final int attempts;
        final Instant first;
        final Instant next;
        final String lastError;
        final int lastErrorCode;
        final boolean delayWarned;
        final boolean waitsForHost;

        /** A mail waiting for a reason of its own (a flush does not bring it forward), due at {@code next}. */
        public Entry(String mid, String route, int attempts, Instant first, Instant next, String lastError, int lastErrorCode) {
            this(mid, route, attempts, first, next, lastError, lastErrorCode, false, false);
        }

        private Entry(String mid, String route, int attempts, Instant first, Instant next, String lastError, int lastErrorCode,
                      boolean delayWarned, boolean waitsForHost) {
            this.delayWarned = delayWarned;
            this.waitsForHost = waitsForHost;
            this.mid = mid;
            this.route = route;
            this.attempts = attempts;
            this.first = first;
            this.next = next;
            this.lastError = lastError;
            this.lastErrorCode = lastErrorCode;
        }

        /** The same entry, marked as having had its delay warning sent. */
        public Entry delayWarned() {
            return new Entry(mid, route, attempts, first, next, lastError, lastErrorCode, true, waitsForHost);
        }

        /** The same entry for a mail waiting for a host: a flush or a host answering brings it forward. */
        public Entry waitingForHost() {
            return new Entry(mid, route, attempts, first, next, lastError, lastErrorCode, delayWarned, true);
        }


    }
}
