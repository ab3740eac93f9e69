package io.github.smtproutes.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.log.MailLog;
import io.github.smtproutes.metrics.DeliveryMetrics;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.HostAddress;
import io.github.smtproutes.smtp.OutboundMessage;
import io.github.smtproutes.smtp.RecipientOutcome;
import io.github.smtproutes.smtp.RecipientOutcome.Disposition;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.smtp.SmtpOutcome;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Delivers the recipients of one mail that share a route: it walks the {@link HostPlan} host by
 * host, passing on only the recipients still pending, until none is left or the plan is
 * exhausted. Each host's outcome feeds {@link HostHealth}, which also decides whether a host takes
 * one more delivery now; a delivery never waits for one that does not. What is still pending at
 * the end is deferred with the last reply it got.
 */
public final class RouteDelivery {
    private final HostPlanner planner;
    private final SmtpHostClient client;
    private final HostHealth health;

    private final DeliveryMetrics metrics;
    private final Optional<HostProber> prober;

    public RouteDelivery(HostPlanner planner, SmtpHostClient client, HostHealth health) {
        this(planner, client, health, DeliveryMetrics.NONE, Optional.empty());
    }

    public RouteDelivery(HostPlanner planner, SmtpHostClient client, HostHealth health, DeliveryMetrics metrics,
                         Optional<HostProber> prober) {
        this.planner = planner;
        this.client = client;
        this.health = health;
        this.metrics = metrics;
        this.prober = prober;
    }

    public RouteResult deliver(Route route, String domain, OutboundMessage message, List<MailAddress> recipients) {
        if (route.kind() == RouteKind.DISCARD) {
            // /dev/null: the admin asked for these recipients to be accepted and dropped.
            MailLog.dropped(message.mid(), message.rids(recipients), domain);
            return new RouteResult(recipients, List.of(), List.of(), false);
        }
        HostPlan plan = planner.plan(route, domain);
        if (plan.verdict().isPresent()) {
            return settledBeforeAnyHost(plan, domain, message, recipients);
        }
        if (plan.isEmpty()) {
            MailLog.noHosts(message.mid(), domain, String.join("; ", plan.problems()));
        }
        Walk walk = new Walk(initiallyPending(recipients, plan));
        // First pass: every host that takes a delivery right now, in plan order.
        List<HostAddress> skipped = new ArrayList<>();
        List<HostAddress> hosts = plan.hosts();
        for (int i = 0; i < hosts.size() && !walk.done(); i++) {
            HostAddress host = hosts.get(i);
            Optional<HostHealth.Attempt> attempt = health.admit(host.endpoint());
            if (attempt.isPresent() && probesOnTheSide(attempt.get(), host, plan, i)) {
                // Its backoff is over but it failed last time: an equal host takes this mail
                // while a session without a mail finds out whether this one is back.
                prober.get().probe(host, route, domain, attempt.get());
                skipped.add(host);
            } else if (attempt.isPresent()) {
                walk.tryHost(host, attempt.get(), route, domain, message);
            } else if (plan.hasEqualAlternativeAfter(i)) {
                // Being probed, or proving itself with its few first sessions: an equal host of
                // the same priority goes first rather than one more spooler thread waiting here.
                skipped.add(host);
            } else if (health.isProving(host.endpoint())) {
                // Its first sessions are still pending and a lower priority must not jump ahead:
                // the mail waits in the retry queue, and the route flush brings it back as soon as
                // the host accepts a mail. Waiting here instead could hold every spooler thread
                // on a host that never answers.
                walk.notTried.add(host);
                break;
            } else {
                // Failing and already being probed: postponed like a down host.
                walk.notTried.add(host);
            }
        }
        // Second pass: the equal hosts skipped above, in case a place freed meanwhile.
        for (HostAddress host : skipped) {
            Optional<HostHealth.Attempt> attempt = walk.done() ? Optional.empty() : health.admit(host.endpoint());
            if (attempt.isPresent()) {
                walk.tryHost(host, attempt.get(), route, domain, message);
            } else {
                walk.notTried.add(host);
            }
        }
        if (walk.localFailure != null) {
            // Failed on this side: the pending recipients are neither deferred nor tried elsewhere.
            return RouteResult.failedLocally(walk.delivered, walk.bounced, List.copyOf(walk.pending.keySet()), walk.anyAccepted,
                walk.localFailure);
        }
        if (!walk.tried && !walk.notTried.isEmpty()) {
            walk.pending = deferredAsDown(walk.pending, walk.notTried);
        }
        walk.notTried.forEach(host -> walk.waitedFor.add(host.endpoint()));
        return new RouteResult(walk.delivered, walk.bounced, List.copyOf(walk.pending.values()), walk.anyAccepted,
            walk.asked, walk.waitedFor);
    }

    /** DNS already decided (a USEDNS domain without mail service, or a DNS failure): no host is tried. */
    private static RouteResult settledBeforeAnyHost(HostPlan plan, String domain, OutboundMessage message, List<MailAddress> recipients) {
        SmtpReply reply = plan.verdictReply().orElseThrow();
        Disposition verdict = plan.verdict().orElseThrow();
        MailLog.noHosts(message.mid(), domain, reply.text());
        List<RecipientOutcome> outcomes = recipients.stream()
            .map(recipient -> new RecipientOutcome(recipient, verdict, reply))
            .collect(Collectors.toList());
        if (verdict == Disposition.BOUNCE) {
            // DCID 0: no connection was made, as the ESA logs a DNS bounce.
            outcomes.forEach(outcome -> MailLog.bounced(0, message.mid(), message.sender().asString(),
                outcome.recipient().asString(), message.rid(outcome.recipient()), reply.hasCode() ? reply.code() : MailLog.NO_REPLY,
                reply.enhancedCode().orElse(null), reply.text()));
            return new RouteResult(List.of(), outcomes, List.of(), false);
        }
        // A DNS failure is an attempt like a host that did not answer: it counts against the
        // retry limits, so a domain whose DNS stays broken ends in a bounce, not a loop.
        return new RouteResult(List.of(), List.of(), outcomes, false, true, Set.of());
    }

    /**
     * Whether the probe of a host that failed goes on the side: only once its backoff is over
     * (a host still down is tried by a mail only when every host before it failed, as the issue
     * asks), and only with an equal, not postponed host after it to take the mail meanwhile.
     */
    private boolean probesOnTheSide(HostHealth.Attempt attempt, HostAddress host, HostPlan plan, int index) {
        return prober.isPresent() && attempt.isProbe() && !health.isDown(host.endpoint()) && plan.hasEqualAlternativeAfter(index);
    }

    /** The state of one walk through a host plan: who is delivered, bounced, still pending. */
    private final class Walk {
        private final List<MailAddress> delivered = new ArrayList<>();
        private final List<RecipientOutcome> bounced = new ArrayList<>();
        private Map<MailAddress, RecipientOutcome> pending;
        private boolean anyAccepted;
        private boolean tried;
        private boolean asked;
        private final Set<String> waitedFor = new LinkedHashSet<>();
        private final List<HostAddress> notTried = new ArrayList<>();
        private String localFailure;

        Walk(Map<MailAddress, RecipientOutcome> pending) {
            this.pending = pending;
        }

        /** Nothing left to try: every recipient settled, or this side failed (no host would do better). */
        boolean done() {
            return pending.isEmpty() || localFailure != null;
        }

        void tryHost(HostAddress host, HostHealth.Attempt attempt, Route route, String domain, OutboundMessage message) {
            if (tried) {
                // An earlier host of this walk left recipients pending: this is a failover.
                metrics.failedOver(route);
            }
            tried = true;
            SmtpOutcome outcome;
            DeliveryMetrics.HostTimer timer = metrics.hostTransaction(host);
            try (attempt) {
                outcome = client.deliver(host, route, domain, message, List.copyOf(pending.keySet()));
                recordHealth(host, outcome);
            } finally {
                timer.stop();
            }
            asked |= !outcome.busy();
            if (outcome.busy() || outcome.hostFailure()) {
                waitedFor.add(host.endpoint());
            }
            if (outcome.localFailure()) {
                localFailure = outcome.reply().text();
            }
            anyAccepted |= !outcome.accepted().isEmpty();
            delivered.addAll(outcome.accepted());
            bounced.addAll(outcome.withDisposition(Disposition.BOUNCE));
            pending = outcome.withDisposition(Disposition.NEXT_HOST).stream()
                .collect(Collectors.toMap(RecipientOutcome::recipient, o -> o, (a, b) -> a, LinkedHashMap::new));
        }
    }

    private static Map<MailAddress, RecipientOutcome> deferredAsDown(Map<MailAddress, RecipientOutcome> pending, List<HostAddress> skipped) {
        SmtpReply down = SmtpReply.none("hosts not taking more deliveries now (failing and being probed, or unproven with their first sessions pending): "
            + skipped.stream().map(HostAddress::endpoint).collect(Collectors.joining(", ")));
        Map<MailAddress, RecipientOutcome> deferred = new LinkedHashMap<>();
        pending.keySet().forEach(recipient -> deferred.put(recipient, new RecipientOutcome(recipient, Disposition.NEXT_HOST, down)));
        return deferred;
    }

    private static Map<MailAddress, RecipientOutcome> initiallyPending(List<MailAddress> recipients, HostPlan plan) {
        SmtpReply noHost = SmtpReply.none(plan.problems().isEmpty()
            ? "no destination host"
            : String.join("; ", plan.problems()));
        Map<MailAddress, RecipientOutcome> pending = new LinkedHashMap<>();
        recipients.forEach(recipient -> pending.put(recipient, new RecipientOutcome(recipient, Disposition.NEXT_HOST, noHost)));
        return pending;
    }

    private void recordHealth(HostAddress host, SmtpOutcome outcome) {
        if (outcome.busy() || outcome.localFailure()) {
            // Skipped at the route's connection cap, or failed on this side (the message could
            // not be read): the host said nothing, so nothing to record.
            return;
        }
        if (outcome.hostFailure()) {
            health.recordHostFailure(host.endpoint(), outcome.reply().text());
        } else if (!outcome.accepted().isEmpty() || outcome.forNextHost().isEmpty()) {
            health.recordSuccess(host.endpoint());
        } else {
            health.recordMailFailure(host.endpoint(), outcome.reply().text());
        }
    }
}
