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
import io.github.smtproutes.smtp.HostAdmission;
import io.github.smtproutes.smtp.OutboundMessage;
import io.github.smtproutes.smtp.RecipientOutcome;
import io.github.smtproutes.smtp.RecipientOutcome.Disposition;
import io.github.smtproutes.smtp.SmtpHostClient;
import io.github.smtproutes.smtp.SmtpOutcome;
import io.github.smtproutes.smtp.SmtpReply;

/**
 * Delivers the recipients of one mail that share a route: it walks the {@link HostPlan} host by
 * host, asking {@link HostAdmission} for each host's turn and passing on only the recipients
 * still pending, until none is left or the plan is exhausted. Each session's verdict goes to the
 * host failure memory before its turn is given back. What is still pending at the end is
 * deferred with the last reply it got; a failure on this side stops the walk and is reported as
 * such, never against a host.
 */
public final class RouteDelivery {
    private final HostPlanner planner;
    private final SmtpHostClient client;
    private final HostAdmission admission;
    private final DeliveryMetrics metrics;
    private final HostProber prober;

    /** With its own prober and no metrics (tests and tools). */
    public RouteDelivery(HostPlanner planner, SmtpHostClient client, HostAdmission admission) {
        this(planner, client, admission, DeliveryMetrics.NONE, new HostProber(client, admission.failures(), "smtp-routes-probe"));
    }

    public RouteDelivery(HostPlanner planner, SmtpHostClient client, HostAdmission admission, DeliveryMetrics metrics, HostProber prober) {
        this.planner = planner;
        this.client = client;
        this.admission = admission;
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
        Walk walk = new Walk(route, domain, message, initiallyPending(recipients, plan));
        for (int i = 0; i < plan.hosts().size(); i++) {
            HostAddress host = plan.hosts().get(i);
            if (walk.isOver()) {
                walk.notReached(host);
                continue;
            }
            // With an equal host after it, a host whose verdict is pending is skipped at once:
            // the equal host takes the mail without breaking priorities.
            boolean mayWait = !plan.hasEqualAlternativeAfter(i);
            walk.visit(host, turn(host, route, domain, mayWait), mayWait);
        }
        return walk.result();
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
     * The host's turn. A host that failed last and is past its backoff gets its probe: a session
     * without a mail on the side, so that real mail never queues on a host that is likely still
     * down; the delivery then waits for that verdict when it may, like for any pending verdict.
     */
    private HostAdmission.Turn turn(HostAddress host, Route route, String domain, boolean mayWait) {
        HostAdmission.Turn turn = admission.admit(host.endpoint(), route.domain(), mayWait);
        if (!turn.isProbe()) {
            return turn;
        }
        prober.probe(host, route, domain, turn);
        return admission.admit(host.endpoint(), route.domain(), mayWait);
    }

    /** The state of one walk through a host plan: who is delivered, bounced, still pending. */
    private final class Walk {
        private final Route route;
        private final String domain;
        private final OutboundMessage message;
        private final List<MailAddress> delivered = new ArrayList<>();
        private final List<RecipientOutcome> bounced = new ArrayList<>();
        private final Set<String> waitedFor = new LinkedHashSet<>();
        private final List<String> notAdmitted = new ArrayList<>();
        private Optional<SmtpReply> lastFailureOfNotAdmitted = Optional.empty();
        private Map<MailAddress, RecipientOutcome> pending;
        private boolean anyAccepted;
        private boolean asked;
        private boolean tried;
        private boolean stopped;
        private Optional<String> localFailure = Optional.empty();
        private Optional<RuntimeException> localFailureCause = Optional.empty();

        Walk(Route route, String domain, OutboundMessage message, Map<MailAddress, RecipientOutcome> pending) {
            this.route = route;
            this.domain = domain;
            this.message = message;
            this.pending = pending;
        }

        boolean isOver() {
            return pending.isEmpty() || stopped || localFailure.isPresent();
        }

        void visit(HostAddress host, HostAdmission.Turn turn, boolean mayWait) {
            if (turn.isAdmitted()) {
                deliverAt(host, turn);
                return;
            }
            turn.close();
            notAdmitted.add(turn.reason());
            waitedFor.add(host.endpoint());
            turn.lastFailure().ifPresent(reply -> lastFailureOfNotAdmitted = Optional.of(SmtpReply.parse(reply)));
            if (turn.kind() == HostAdmission.Kind.PROVING && mayWait) {
                // Not heard from yet and no verdict in time: a lower priority must not jump ahead
                // of a host that may well be healthy. The mail waits for it in the retry queue.
                stopped = true;
            }
        }

        /** A host after the walk stopped: the deferred recipients wait for it too. */
        void notReached(HostAddress host) {
            if (!pending.isEmpty() && localFailure.isEmpty()) {
                waitedFor.add(host.endpoint());
            }
        }

        private void deliverAt(HostAddress host, HostAdmission.Turn turn) {
            Optional<SmtpOutcome> outcome;
            try (turn) {
                outcome = transaction(host);
            }
            outcome.ifPresent(settled -> settle(host, settled));
        }

        /**
         * One SMTP transaction with the host, its verdict recorded before the turn is given back
         * (deliveries waiting for that verdict are woken by it). Empty after a failure on this side.
         */
        private Optional<SmtpOutcome> transaction(HostAddress host) {
            try {
                countFailover();
                DeliveryMetrics.HostTimer timer = metrics.hostTransaction(host);
                try {
                    SmtpOutcome outcome = client.deliver(host, route, domain, message, List.copyOf(pending.keySet()));
                    admission.failures().record(host.endpoint(), route.domain(), outcome);
                    return Optional.of(outcome);
                } finally {
                    timer.stop();
                }
            } catch (RuntimeException e) {
                failedHere(e);
                return Optional.empty();
            }
        }

        private void countFailover() {
            if (tried) {
                // An earlier host of this walk left recipients pending: this is a failover.
                metrics.failedOver(route);
            }
            tried = true;
        }

        /**
         * A failure on this side (reading the mail, a bug): it says nothing about the host, so
         * nothing is recorded against it and no other host is tried. What earlier hosts accepted
         * stays delivered; the pending recipients are left to the caller's local-failure handling.
         */
        private void failedHere(RuntimeException e) {
            localFailure = Optional.of(e.toString());
            localFailureCause = Optional.of(e);
        }

        private void settle(HostAddress host, SmtpOutcome outcome) {
            countForHost(host, outcome);
            asked |= !outcome.busy();
            if (outcome.localFailure()) {
                // The message could not be read, or this side failed: the host is not at fault
                // (its failure memory ignores the outcome) and another host would fail the same way.
                localFailure = Optional.of(outcome.reply().text());
            }
            anyAccepted |= !outcome.accepted().isEmpty();
            delivered.addAll(outcome.accepted());
            bounced.addAll(outcome.withDisposition(Disposition.BOUNCE));
            pending = outcome.withDisposition(Disposition.NEXT_HOST).stream()
                .collect(Collectors.toMap(RecipientOutcome::recipient, o -> o, (a, b) -> a, LinkedHashMap::new));
            if (outcome.busy() || outcome.hostFailure() || outcome.routeUseFailure()) {
                waitedFor.add(host.endpoint());
            }
        }

        private void countForHost(HostAddress host, SmtpOutcome outcome) {
            if (outcome.busy() || outcome.localFailure()) {
                // Not contacted, or failed on this side: nothing to count for the host.
                return;
            }
            if (!outcome.accepted().isEmpty() || outcome.forNextHost().isEmpty()) {
                metrics.hostDelivered(host);
            } else {
                metrics.hostFailed(host, outcome.reply().text());
            }
        }

        RouteResult result() {
            if (localFailure.isPresent()) {
                // Failed on this side: the pending recipients are neither deferred nor tried elsewhere.
                return RouteResult.failedLocally(delivered, bounced, List.copyOf(pending.keySet()), anyAccepted, asked,
                    localFailure.get(), localFailureCause);
            }
            Map<MailAddress, RecipientOutcome> deferred = asked || notAdmitted.isEmpty() ? pending : deferredAsNotAdmitted();
            return new RouteResult(delivered, bounced, List.copyOf(deferred.values()), anyAccepted, asked,
                deferred.isEmpty() ? Set.of() : waitedFor);
        }

        /**
         * No host was asked: the mail log says why, and the recipients wait with the reply that
         * made the last of those hosts fail (what a DSN should quote), else with that reason.
         */
        private Map<MailAddress, RecipientOutcome> deferredAsNotAdmitted() {
            String why = "hosts not taking more deliveries now: " + String.join("; ", notAdmitted);
            MailLog.noHosts(message.mid(), domain, why);
            SmtpReply reply = lastFailureOfNotAdmitted.orElse(SmtpReply.none(why));
            Map<MailAddress, RecipientOutcome> deferred = new LinkedHashMap<>();
            pending.keySet().forEach(recipient -> deferred.put(recipient, new RecipientOutcome(recipient, Disposition.NEXT_HOST, reply)));
            return deferred;
        }
    }

    private static Map<MailAddress, RecipientOutcome> initiallyPending(List<MailAddress> recipients, HostPlan plan) {
        SmtpReply noHost = SmtpReply.none(plan.problems().isEmpty()
            ? "no destination host"
            : String.join("; ", plan.problems()));
        Map<MailAddress, RecipientOutcome> pending = new LinkedHashMap<>();
        recipients.forEach(recipient -> pending.put(recipient, new RecipientOutcome(recipient, Disposition.NEXT_HOST, noHost)));
        return pending;
    }
}
