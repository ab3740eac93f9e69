package io.github.smtproutes.nodes;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.james.mailrepository.api.MailKey;
import org.apache.james.mailrepository.api.MailRepository;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeUtils;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node leases, kept as one small mail per node in an ordinary James {@link MailRepository}
 * ({@code <retryRepository>_nodes/}), so that they work wherever the retry queues do:
 * {@code cassandra://}, {@code file://}, {@code memory://}. A renewal stores the node's record
 * under the same key again, which every repository treats as an update: leases never churn keys
 * (on Cassandra, no tombstone per renewal).
 *
 * <p>A record that cannot be read is skipped, never taken as expired: with
 * {@code FileMailRepository}, a read that meets a renewal half-written fails (and that repository
 * then deletes the record); its owner writes it again at its next renewal.
 */
public final class LeaseBook {
    static final AttributeName NODE = AttributeName.of("smtp-routes.node.id");
    static final AttributeName LEASE_UNTIL = AttributeName.of("smtp-routes.node.lease-until");
    static final AttributeName WAITING = AttributeName.of("smtp-routes.node.waiting");
    static final AttributeName ADOPTED_BY = AttributeName.of("smtp-routes.node.adopted-by");
    static final AttributeName ADOPTED_AT = AttributeName.of("smtp-routes.node.adopted-at");
    private static final String KEY_PREFIX = "node-";
    private static final Logger LOGGER = LoggerFactory.getLogger(LeaseBook.class);

    private final MailRepository repository;

    public LeaseBook(MailRepository repository) {
        this.repository = repository;
    }

    /** Writes {@code node}'s lease, running until {@code until}; a node back from the dead is no longer "adopted". */
    public void renew(String node, Instant until, long waiting) throws MessagingException {
        write(new NodeLease(node, until, waiting, Optional.empty(), Optional.empty()));
    }

    /** Records that {@code lease}'s queue was adopted. */
    public void markAdopted(NodeLease lease, String by, Instant at) throws MessagingException {
        write(lease.adoptedBy(by, at));
    }

    /** Every readable lease, in no particular order. */
    public List<NodeLease> all() throws MessagingException {
        List<NodeLease> leases = new ArrayList<>();
        Iterator<MailKey> keys = repository.list();
        while (keys.hasNext()) {
            MailKey key = keys.next();
            if (key.asString().startsWith(KEY_PREFIX)) {
                read(key).ifPresent(leases::add);
            }
        }
        return leases;
    }

    public Optional<NodeLease> of(String node) throws MessagingException {
        return read(new MailKey(KEY_PREFIX + node));
    }

    private Optional<NodeLease> read(MailKey key) {
        Mail mail;
        try {
            mail = repository.retrieve(key);
        } catch (MessagingException | RuntimeException e) {
            LOGGER.warn("SMTP Routes: node lease {} unreadable, skipped until its node renews it: {}", key.asString(), e.getMessage());
            return Optional.empty();
        }
        if (mail == null) {
            return Optional.empty();
        }
        try {
            Optional<String> node = AttributeUtils.getValueAndCastFromMail(mail, NODE, String.class);
            Optional<Instant> until = instant(mail, LEASE_UNTIL);
            if (node.isEmpty() || until.isEmpty()) {
                LOGGER.warn("SMTP Routes: {} in the node lease repository is not a node lease, ignored", key.asString());
                return Optional.empty();
            }
            long waiting = AttributeUtils.getValueAndCastFromMail(mail, WAITING, Long.class).orElse(0L);
            return Optional.of(new NodeLease(node.get(), until.get(), waiting,
                AttributeUtils.getValueAndCastFromMail(mail, ADOPTED_BY, String.class), instant(mail, ADOPTED_AT)));
        } finally {
            if (mail instanceof MailImpl) {
                ((MailImpl) mail).dispose();
            }
        }
    }

    private void write(NodeLease lease) throws MessagingException {
        MimeMessage body = new MimeMessage(Session.getInstance(new java.util.Properties()));
        body.setSubject("SMTP Routes node lease " + lease.nodeId());
        body.setText("Lease of SMTP Routes node " + lease.nodeId() + " until " + lease.leaseUntil() + "\r\n");
        body.saveChanges();
        MailImpl record = MailImpl.builder()
            .name(KEY_PREFIX + lease.nodeId())
            .mimeMessage(body)
            .addAttribute(new Attribute(NODE, AttributeValue.of(lease.nodeId())))
            .addAttribute(new Attribute(LEASE_UNTIL, AttributeValue.of(lease.leaseUntil().toString())))
            .addAttribute(new Attribute(WAITING, AttributeValue.of(lease.waiting())))
            .build();
        lease.adoptedBy().ifPresent(by -> record.setAttribute(new Attribute(ADOPTED_BY, AttributeValue.of(by))));
        lease.adoptedAt().ifPresent(at -> record.setAttribute(new Attribute(ADOPTED_AT, AttributeValue.of(at.toString()))));
        try {
            repository.store(record);
        } finally {
            record.dispose();
        }
    }

    private static Optional<Instant> instant(Mail mail, AttributeName name) {
        try {
            return AttributeUtils.getValueAndCastFromMail(mail, name, String.class).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
