package io.github.smtproutes.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.retry.DelayWarnings;
import io.github.smtproutes.retry.RetryKey;
import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.retry.RetryState;
import io.github.smtproutes.routes.RetryPolicy;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.routes.RouteTable;
import io.github.smtproutes.smtp.OutboundMessage;
import io.github.smtproutes.smtp.RecipientOutcome;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Takes one mail through SMTP Routes and settles every routed recipient: delivered, bounced, or
 * stored in the retry queue. It never lets a recipient go unaccounted for: when settling fails
 * (the repository refuses a store), the mail keeps exactly the unsettled recipients and the
 * error propagates, so James moves it to its error processor instead of losing it.
 */
public final class RoutedMailProcessor {
    /** Recipients in one SMTP transaction at most: RFC 5321 4.5.3.1.8's minimum a server must take. */
    static final int MAX_RECIPIENTS_PER_TRANSACTION = 100;

    private final RouteDelivery delivery;
    private final Bouncer bouncer;
    private final RetryQueue retryQueue;
    private final RetryPolicy defaultPolicy;
    private final Clock clock;
    private final Consumer<Route> onRouteAccepted;
    private volatile DeliveryMetrics metrics = DeliveryMetrics.NONE;
    private volatile HostWaits hostWaits = (route, endpoints) -> { };
    private final DelayWarnings delayWarnings;

    /** Told which endpoints ("ip:port") the mails a route just queued wait for. */
    @FunctionalInterface
    public interface HostWaits {
        void awaiting(Route route, Set<String> endpoints);
    }

    public RoutedMailProcessor(RouteDelivery delivery, Bouncer bouncer, RetryQueue retryQueue, RetryPolicy defaultPolicy,
                               Clock clock, Consumer<Route> onRouteAccepted) {
        this(delivery, bouncer, retryQueue, defaultPolicy, clock, onRouteAccepted, DelayWarnings.none());
    }

    public RoutedMailProcessor(RouteDelivery delivery, Bouncer bouncer, RetryQueue retryQueue, RetryPolicy defaultPolicy,
                               Clock clock, Consumer<Route> onRouteAccepted, DelayWarnings delayWarnings) {
        this.delayWarnings = delayWarnings;
        this.delivery = delivery;
        this.bouncer = bouncer;
        this.retryQueue = retryQueue;
        this.defaultPolicy = defaultPolicy;
        this.clock = clock;
        this.onRouteAccepted = onRouteAccepted;
    }

    /** Counts what this processor settles; {@link DeliveryMetrics#NONE} until set. */
    public RoutedMailProcessor withMetrics(DeliveryMetrics metrics) {
        this.metrics = metrics;
        return this;
    }

    /** Tells {@code hostWaits} which hosts queued mails wait for; nobody is told until set. */
    public RoutedMailProcessor withHostWaits(HostWaits hostWaits) {
        this.hostWaits = hostWaits;
        return this;
    }

    /**
     * Delivers the recipients of {@code mail} that have a route in {@code table}. Afterwards the
     * mail holds only its unrouted recipients, and is GHOST when it has none left.
     */
    public void process(Mail mail, RouteTable table) throws MessagingException {
        Map<Destination, List<MailAddress>> groups = new LinkedHashMap<>();
        List<MailAddress> unrouted = new ArrayList<>();
        for (MailAddress recipient : mail.getRecipients()) {
            String domain = recipient.getDomain().asString();
            Optional<Route> route = table.routeFor(domain);
            if (route.isPresent()) {
                groups.computeIfAbsent(Destination.of(route.get(), domain), key -> new ArrayList<>()).add(recipient);
            } else {
                unrouted.add(recipient);
            }
        }
        if (groups.isEmpty()) {
            return;
        }
        OutboundMessage message = new OutboundMessage(RetryState.mid(mail), mail.getMaybeSender(), mail.getMessage(),
            List.copyOf(mail.getRecipients()));
        Set<MailAddress> unsettled = groups.values().stream().flatMap(List::stream).collect(Collectors.toCollection(LinkedHashSet::new));
        try {
            for (Transaction transaction : transactions(groups)) {
                Route route = transaction.route;
                RouteResult result = delivery.deliver(route, transaction.domain, message, transaction.recipients);
                unsettled.removeAll(result.delivered());
                countSettled(route, result);
                settle(mail, message, route, result, unsettled);
                if (result.anyHostAccepted() && route.kind() == RouteKind.HOSTS) {
                    // A route of listed hosts works again. (A USEDNS route's hosts differ per
                    // recipient domain: one MX answering says nothing of another's, so its mails
                    // come forward only when the host they wait for answers.)
                    onRouteAccepted.accept(route);
                }
                if (result.localFailure().isPresent()) {
                    // Failed on this side (the message could not be read, a bug): no host is at fault
                    // and a retry would fail the same way. What hosts accepted is settled above;
                    // James's error processor gets the mail, once, with the unsettled recipients
                    // (kept by the catch below).
                    throw new MessagingException("SmtpRouteDelivery: mail " + message.mid() + " to " + result.failedLocally()
                        + " through route " + route.domain() + " not sent, failure on this side: " + result.localFailure().get(),
                        result.localFailureCause().orElse(null));
                }
            }
        } catch (MessagingException | RuntimeException e) {
            // Never lose a recipient: whatever is not settled stays on the mail, and James's
            // error handling (the "error" processor by default) keeps it.
            List<MailAddress> keep = new ArrayList<>(unrouted);
            keep.addAll(unsettled);
            mail.setRecipients(keep);
            throw e;
        }
        mail.setRecipients(unrouted);
        if (unrouted.isEmpty()) {
            mail.setState(Mail.GHOST);
        }
    }

    private void countSettled(Route route, RouteResult result) {
        if (route.kind() == RouteKind.DISCARD) {
            metrics.dropped(route, result.delivered().size());
        } else {
            metrics.delivered(route, result.delivered().size());
        }
        metrics.bounced(route, result.bounced().size());
    }

    private void settle(Mail mail, OutboundMessage message, Route route, RouteResult result, Set<MailAddress> unsettled) throws MessagingException {
        for (Map.Entry<SmtpReply, List<MailAddress>> refused : byReply(result.bounced()).entrySet()) {
            bouncer.bounce(mail, refused.getValue(), refused.getKey(), true);
            unsettled.removeAll(refused.getValue());
        }
        if (!result.deferred().isEmpty()) {
            deferOrExpire(mail, message, route, result, unsettled);
        }
    }

    /**
     * Recipients that failed at every host wait in the retry queue, unless this was the last
     * attempt the route's retry policy allows, or the mail is past its age: then they bounce as a
     * temporary failure that expired ({@code is-delivery-permanent-error} false).
     */
    private void deferOrExpire(Mail mail, OutboundMessage message, Route route, RouteResult result, Set<MailAddress> unsettled)
            throws MessagingException {
        List<RecipientOutcome> deferred = result.deferred();
        SmtpReply lastReply = deferred.get(deferred.size() - 1).reply();
        Instant now = clock.instant();
        // An attempt is a host asked about the mail. When none was (all skipped, none admitted),
        // this pass does not use up one of the route's attempts; the age limit holds regardless.
        int attempts = RetryState.attempts(mail) + (result.anyHostAsked() ? 1 : 0);
        Instant first = RetryState.firstAttempt(mail).orElse(now);
        RetryPolicy policy = defaultPolicy.overriddenBy(route.retry());
        if (policy.givesUp(attempts, Duration.between(first, now))) {
            List<MailAddress> recipients = deferred.stream().map(RecipientOutcome::recipient).collect(Collectors.toList());
            MailLog.expired(message.mid(), message.rids(recipients), attempts, lastReply.text());
            bouncer.bounce(mail, recipients, lastReply, false);
            metrics.bounced(route, recipients.size());
            unsettled.removeAll(recipients);
            return;
        }
        // Whole seconds: two deliveries of one waiting mail racing a few milliseconds apart then
        // store it under the same successor key.
        Instant next = RetryKey.roundedUp(now.plus(policy.delayBeforeAttempt(Math.max(1, attempts))));
        boolean warnNow = delayWarnings.isDue(mail, route, first, now);
        // Recipients waiting for a host and those waiting for a reason of their own are stored
        // apart: only the first are retried early when a host answers again. Each part is settled
        // as soon as it is stored, so a failure to store the second never stores the first twice.
        for (List<RecipientOutcome> sameWait : byWait(deferred)) {
            queue(mail, message, route, sameWait, new Position(attempts, first, next), warnNow);
            sameWait.forEach(outcome -> unsettled.remove(outcome.recipient()));
        }
        if (deferred.stream().anyMatch(RecipientOutcome::waitsForHost) && !result.waitedFor().isEmpty()) {
            hostWaits.awaiting(route, result.waitedFor());
        }
        if (warnNow) {
            List<MailAddress> recipients = deferred.stream().map(RecipientOutcome::recipient).collect(Collectors.toList());
            Instant retryUntil = first.plus(policy.maxAge());
            delayWarnings.send(mail, recipients, lastReply, retryUntil);
            MailLog.delayWarning(message.mid(), message.rids(recipients), retryUntil);
        }
    }

    private void queue(Mail mail, OutboundMessage message, Route route, List<RecipientOutcome> deferred, Position position,
                       boolean warned) throws MessagingException {
        List<MailAddress> recipients = deferred.stream().map(RecipientOutcome::recipient).collect(Collectors.toList());
        SmtpReply lastReply = deferred.get(deferred.size() - 1).reply();
        RetryQueue.Entry entry = new RetryQueue.Entry(message.mid(), route.domain(), position.attempts, position.first,
            position.next, lastReply.text(), lastReply.hasCode() ? lastReply.code() : 0);
        entry = deferred.get(0).waitsForHost() ? entry.waitingForHost() : entry;
        // The warning is recorded on the stored copy before it is sent: at most one per mail.
        retryQueue.enqueue(mail, recipients, warned ? entry.delayWarned() : entry);
        MailLog.queuedForRetry(message.mid(), message.rids(recipients), position.attempts, position.next, lastReply.text());
        metrics.queuedForRetry(route, recipients.size());
    }

    /** The deferred outcomes split by what they wait for, host-level first; each part keeps its order. */
    private static Collection<List<RecipientOutcome>> byWait(List<RecipientOutcome> deferred) {
        Map<Boolean, List<RecipientOutcome>> parts = new TreeMap<>(Comparator.reverseOrder());
        deferred.forEach(outcome -> parts.computeIfAbsent(outcome.waitsForHost(), any -> new ArrayList<>()).add(outcome));
        return parts.values();
    }

    /** Where a deferred mail stands in its route's retry schedule. */
    private static final class Position {
        private final int attempts;
        private final Instant first;
        private final Instant next;

        Position(int attempts, Instant first, Instant next) {
            this.attempts = attempts;
            this.first = first;
            this.next = next;
        }
    }

    private static Map<SmtpReply, List<MailAddress>> byReply(List<RecipientOutcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(RecipientOutcome::reply, LinkedHashMap::new,
            Collectors.mapping(RecipientOutcome::recipient, Collectors.toList())));
    }

    /**
     * One copy per destination (RFC 5321 4.5.4.1: a mail for several recipients at one host
     * SHOULD be sent once): the recipients of a route with fixed hosts go together whatever their
     * domains, while a USEDNS route's hosts depend on the domain, so it takes one domain at a
     * time. A transaction carries at most {@value #MAX_RECIPIENTS_PER_TRANSACTION} recipients,
     * the number every server must accept (RFC 5321 4.5.3.1.8); more go in further transactions.
     */
    private static List<Transaction> transactions(Map<Destination, List<MailAddress>> groups) {
        List<Transaction> transactions = new ArrayList<>();
        for (Map.Entry<Destination, List<MailAddress>> group : groups.entrySet()) {
            Route route = group.getKey().route;
            List<MailAddress> recipients = group.getValue();
            String domain = group.getKey().domain.orElseGet(() -> logDomain(route, recipients));
            for (int from = 0; from < recipients.size(); from += MAX_RECIPIENTS_PER_TRANSACTION) {
                List<MailAddress> chunk = recipients.subList(from, Math.min(recipients.size(), from + MAX_RECIPIENTS_PER_TRANSACTION));
                transactions.add(new Transaction(route, domain, List.copyOf(chunk)));
            }
        }
        return transactions;
    }

    /** The domain the mail log shows for a group: the recipients' one domain, or the route's name for several. */
    private static String logDomain(Route route, List<MailAddress> recipients) {
        Set<String> domains = recipients.stream().map(recipient -> recipient.getDomain().asString())
            .collect(Collectors.toCollection(LinkedHashSet::new));
        return domains.size() == 1 ? domains.iterator().next() : route.domain();
    }

    /**
     * Where a recipient goes: its route, and for a USEDNS route its domain too, whose MX hosts
     * are the destination. Recipients with the same destination share transactions.
     */
    private static final class Destination {
        private final Route route;
        private final Optional<String> domain;

        private Destination(Route route, Optional<String> domain) {
            this.route = route;
            this.domain = domain;
        }

        static Destination of(Route route, String recipientDomain) {
            return new Destination(route, route.kind() == RouteKind.USEDNS ? Optional.of(recipientDomain) : Optional.empty());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Destination && ((Destination) o).route.equals(route) && ((Destination) o).domain.equals(domain);
        }

        @Override
        public int hashCode() {
            return 31 * route.hashCode() + domain.hashCode();
        }
    }

    /** The recipients one delivery takes to one destination, and the domain its log lines show. */
    private static final class Transaction {
        private final Route route;
        private final String domain;
        private final List<MailAddress> recipients;

        Transaction(Route route, String domain, List<MailAddress> recipients) {
            this.route = route;
            this.domain = domain;
            this.recipients = recipients;
        }
    }
}
