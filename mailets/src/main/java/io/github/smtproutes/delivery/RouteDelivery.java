package io.github.smtproutes.delivery;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.log.MailLog;
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
 * exhausted. Each host's outcome feeds {@link HostHealth}. What is still pending at the end is
 * deferred with the last reply it got.
 */
public final class RouteDelivery {
    private final HostPlanner planner;
    private final SmtpHostClient client;
    private final HostHealth health;

    public RouteDelivery(HostPlanner planner, SmtpHostClient client, HostHealth health) {
        this.planner = planner;
        this.client = client;
        this.health = health;
    }

    public RouteResult deliver(Route route, String domain, OutboundMessage message, List<MailAddress> recipients) {
        if (route.kind() == RouteKind.DISCARD) {
            // /dev/null: the admin asked for these recipients to be accepted and dropped.
            MailLog.dropped(message.mid(), message.rids(recipients), domain);
            return new RouteResult(recipients, List.of(), List.of(), false);
        }
        HostPlan plan = planner.plan(route, domain);
        List<MailAddress> delivered = new ArrayList<>();
        List<RecipientOutcome> bounced = new ArrayList<>();
        Map<MailAddress, RecipientOutcome> pending = initiallyPending(recipients, plan);
        boolean anyAccepted = false;

        if (plan.isEmpty()) {
            MailLog.noHosts(message.mid(), domain, String.join("; ", plan.problems()));
        }
        for (HostAddress host : plan.hosts()) {
            if (pending.isEmpty()) {
                break;
            }
            SmtpOutcome outcome = client.deliver(host, route, domain, message, List.copyOf(pending.keySet()));
            recordHealth(host, outcome);
            anyAccepted |= !outcome.accepted().isEmpty();
            delivered.addAll(outcome.accepted());
            bounced.addAll(outcome.withDisposition(Disposition.BOUNCE));
            pending = outcome.withDisposition(Disposition.NEXT_HOST).stream()
                .collect(Collectors.toMap(RecipientOutcome::recipient, o -> o, (a, b) -> a, LinkedHashMap::new));
        }
        return new RouteResult(delivered, bounced, List.copyOf(pending.values()), anyAccepted);
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
        if (outcome.hostFailure()) {
            health.recordHostFailure(host.endpoint(), outcome.reply().text());
        } else if (!outcome.accepted().isEmpty() || outcome.forNextHost().isEmpty()) {
            health.recordSuccess(host.endpoint());
        } else {
            health.recordMailFailure(host.endpoint(), outcome.reply().text());
        }
    }
}
