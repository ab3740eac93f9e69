package io.github.smtproutes.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.mailet.Mail;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.retry.DelayWarnings;
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
    private final RouteDelivery delivery;
    private final Bouncer bouncer;
    private final RetryQueue retryQueue;
    private final RetryPolicy defaultPolicy;
    private final Clock clock;
    private final Consumer<Route> onRouteAccepted;
    private volatile DeliveryMetrics metrics = DeliveryMetrics.NONE;
    private final DelayWarnings delayWarnings;

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
                groups.computeIfAbsent(new Destination(route.get(), domain), key -> new ArrayList<>()).add(recipient);
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
            for (Map.Entry<Destination, List<MailAddress>> group : groups.entrySet()) {
                Route route = group.getKey().route;
                RouteResult result = delivery.deliver(route, group.getKey().domain, message, group.getValue());
                unsettled.removeAll(result.delivered());
                countSettled(route, result);
                settle(mail, message, route, result, unsettled);
                if (result.anyHostAccepted()) {
                    onRouteAccepted.accept(route);
                }
                if (result.localFailure().isPresent()) {
                    // What hosts accepted is settled above; the rest stays on the mail for the error processor.
                    throw new MessagingException("delivery of " + result.failedLocally().size()
                        + " recipient(s) through route " + route.domain() + " failed on this side: " + result.localFailure().get(),
                        result.localFailure().get());
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
            deferOrExpire(mail, message, route, result.deferred());
            result.deferred().forEach(outcome -> unsettled.remove(outcome.recipient()));
        }
    }

    /**
     * Recipients that failed at every host wait in the retry queue, unless this was the last
     * attempt the route's retry policy allows: then they bounce as a temporary failure that
     * expired ({@code is-delivery-permanent-error} false).
     */
    private void deferOrExpire(Mail mail, OutboundMessage message, Route route, List<RecipientOutcome> deferred) throws MessagingException {
        List<MailAddress> recipients = deferred.stream().map(RecipientOutcome::recipient).collect(Collectors.toList());
        SmtpReply lastReply = deferred.get(deferred.size() - 1).reply();
        Instant now = clock.instant();
        int attempts = RetryState.attempts(mail) + 1;
        Instant first = RetryState.firstAttempt(mail).orElse(now);
        RetryPolicy policy = defaultPolicy.overriddenBy(route.retry());
        if (policy.givesUp(attempts, Duration.between(first, now))) {
            MailLog.expired(message.mid(), message.rids(recipients), attempts, lastReply.text());
            bouncer.bounce(mail, recipients, lastReply, false);
            metrics.bounced(route, recipients.size());
            return;
        }
        Instant next = now.plus(policy.delayBeforeAttempt(attempts));
        RetryQueue.Entry entry = new RetryQueue.Entry(message.mid(), route.domain(), attempts, first, next,
            lastReply.text(), lastReply.hasCode() ? lastReply.code() : 0);
        // The warning is recorded on the stored copy before it is sent: at most one per mail.
        boolean warnNow = delayWarnings.isDue(mail, route, first, now);
        retryQueue.enqueue(mail, recipients, warnNow ? entry.delayWarned() : entry);
        MailLog.queuedForRetry(message.mid(), message.rids(recipients), attempts, next, lastReply.text());
        metrics.queuedForRetry(route, recipients.size());
        if (warnNow) {
            Instant retryUntil = first.plus(policy.maxAge());
            delayWarnings.send(mail, recipients, lastReply, retryUntil);
            MailLog.delayWarning(message.mid(), message.rids(recipients), retryUntil);
        }
    }

    private static Map<SmtpReply, List<MailAddress>> byReply(List<RecipientOutcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(RecipientOutcome::reply, LinkedHashMap::new,
            Collectors.mapping(RecipientOutcome::recipient, Collectors.toList())));
    }

    /** A route and the recipient domain it is used for: the unit of one host plan. */
    private static final class Destination {
        private final Route route;
        private final String domain;

        Destination(Route route, String domain) {
            this.route = route;
            this.domain = domain;
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
}
