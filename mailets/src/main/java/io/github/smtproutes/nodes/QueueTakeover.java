package io.github.smtproutes.nodes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.retry.RetryState;

/**
 * Moves the waiting mail of a node that is gone into this node's retry queue. Each mail is
 * stored in the adopter's queue under the same name, so its due time, attempts and first-attempt
 * time come along, and only then removed from the old queue: a crash in between leaves the mail
 * in both queues (a duplicate delivery at worst), never in none. One mail-log line per mail.
 *
 * <p>Only keys listed twice, {@code settle} apart, are taken: {@code FileMailRepository} lists a
 * key before its files are written and deletes a mail whose read fails, so a key a still-running
 * node is writing at that moment must not be read. A write takes milliseconds; the pause makes
 * sure it is over.
 */
public final class QueueTakeover {
    private static final Logger LOGGER = LoggerFactory.getLogger(QueueTakeover.class);

    /** Where adopted mail goes: this node's retry queue. */
    @FunctionalInterface
    public interface Destination {
        void store(Mail mail) throws MessagingException;
    }

    private final Duration settle;

    public QueueTakeover(Duration settle) {
        this.settle = settle;
    }

    /** Moves every settled mail of {@code from}; returns how many moved. */
    public int adopt(MailRepository from, String fromNode, Destination to, String toNode) throws MessagingException {
        Set<MailKey> first = listed(from);
        if (first.isEmpty()) {
            return 0;
        }
        pause();
        List<MailKey> settled = new ArrayList<>(listed(from));
        settled.retainAll(first);
        int moved = 0;
        for (MailKey key : settled) {
            if (move(from, key, fromNode, to, toNode)) {
                moved++;
            }
        }
        return moved;
    }

    private boolean move(MailRepository from, MailKey key, String fromNode, Destination to, String toNode) throws MessagingException {
        Mail mail = from.retrieve(key);
        if (mail == null) {
            // Gone between the listing and now: delivered by its node, or taken by another adopter.
            LOGGER.info("SMTP Routes: waiting mail {} of node {} vanished before adoption, skipped", key.asString(), fromNode);
            return false;
        }
        try {
            to.store(mail);
            from.remove(key);
            MailLog.adopted(RetryState.mid(mail), key.asString(), fromNode, toNode);
            return true;
        } finally {
            if (mail instanceof MailImpl) {
                ((MailImpl) mail).dispose();
            }
        }
    }

    private static Set<MailKey> listed(MailRepository repository) throws MessagingException {
        Set<MailKey> keys = new LinkedHashSet<>();
        Iterator<MailKey> listed = repository.list();
        listed.forEachRemaining(keys::add);
        return keys;
    }

    private void pause() throws MessagingException {
        try {
            Thread.sleep(settle.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MessagingException("interrupted while adopting a queue");
        }
    }
}
