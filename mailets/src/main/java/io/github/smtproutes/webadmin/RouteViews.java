package io.github.smtproutes.webadmin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.smtproutes.LiveRouteTable;
import io.github.smtproutes.delivery.HostHealth;
import io.github.smtproutes.delivery.HostPlan;
import io.github.smtproutes.routes.Durations;
import io.github.smtproutes.routes.RecipientVerification;
import io.github.smtproutes.routes.RetryOverrides;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.routes.RouteAuth;
import io.github.smtproutes.routes.RouteHost;
import io.github.smtproutes.routes.RouteKind;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.smtp.HostAddress;

/**
 * The JSON shapes of the WebAdmin endpoints, as ordered maps that James's JsonTransformer
 * renders: a route table, a route, a host's state and a host plan. Durations are written as in
 * route files ({@code 90s}, {@code 1h}), instants as ISO-8601. A route's password is never
 * written: only the user and where the password comes from.
 */
final class RouteViews {
    static final String REDACTED = "<redacted>";

    private RouteViews() {
    }

    static Map<String, Object> table(LiveRouteTable table) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("routeFile", table.file().getPath());
        view.put("routes", table.current().routes().stream().map(RouteViews::route).collect(Collectors.toList()));
        return view;
    }

    static Map<String, Object> route(Route route) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("domain", route.domain());
        view.put("destination", kind(route.kind()));
        view.put("inbound", route.inbound());
        view.put("hosts", route.hosts().stream().map(RouteViews::host).collect(Collectors.toList()));
        view.put("options", options(route));
        return view;
    }

    /** The route-file keyword of a route kind: {@code hosts}, {@code USEDNS} or {@code /dev/null}. */
    static String kind(RouteKind kind) {
        switch (kind) {
            case USEDNS:
                return "USEDNS";
            case DISCARD:
                return "/dev/null";
            default:
                return "hosts";
        }
    }

    static Map<String, Object> hostState(HostHealth.HostState.Snapshot state) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("endpoint", state.endpoint);
        view.put("state", state.down ? "down" : "up");
        view.put("downUntil", text(state.downUntil));
        view.put("consecutiveFailures", state.consecutiveFailures);
        view.put("delivered", state.delivered);
        view.put("failed", state.failed);
        view.put("lastError", state.lastError);
        view.put("lastErrorAt", text(state.lastErrorAt));
        return view;
    }

    static Map<String, Object> plan(LiveRouteTable table, Route route, HostPlan plan) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("routeFile", table.file().getPath());
        view.put("route", route.domain());
        view.put("destination", kind(route.kind()));
        view.put("hosts", plan.hosts().stream().map(host -> plannedHost(host, plan)).collect(Collectors.toList()));
        view.put("problems", plan.problems());
        return view;
    }

    private static Map<String, Object> plannedHost(HostAddress host, HostPlan plan) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("host", host.hostName());
        view.put("endpoint", host.endpoint());
        view.put("down", plan.isPostponed(host));
        return view;
    }

    private static Map<String, Object> host(RouteHost host) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("host", host.host());
        view.put("port", host.port());
        view.put("priority", host.priority());
        return view;
    }

    private static Map<String, Object> options(Route route) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("tls", route.tls().keyword());
        view.put("possibleDelivery", route.possibleDelivery());
        view.put("allowPlainAuth", route.allowPlainAuth());
        route.auth().ifPresent(auth -> view.put("auth", auth(auth)));
        if (!route.retry().isEmpty()) {
            view.put("retry", retry(route.retry()));
        }
        route.delayWarning().ifPresent(delay -> view.put("delayWarning", Durations.format(delay)));
        route.maxConnectionsPerHost().ifPresent(max -> view.put("maxConnectionsPerHost", max));
        if (route.verifyRecipients() != RecipientVerification.OFF) {
            view.put("verifyRecipients", route.verifyRecipients().keyword());
            view.put("onVerifyFailure", route.onVerifyFailure().keyword());
        }
        return view;
    }

    private static Map<String, Object> auth(RouteAuth auth) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("user", auth.user());
        view.put("password", REDACTED);
        view.put("passwordFrom", auth.passwordSource());
        return view;
    }

    private static Map<String, Object> retry(RetryOverrides retry) {
        Map<String, Object> view = new LinkedHashMap<>();
        retry.initial().ifPresent(value -> view.put("initial", Durations.format(value)));
        retry.max().ifPresent(value -> view.put("max", Durations.format(value)));
        retry.maxAttempts().ifPresent(value -> view.put("maxAttempts", value));
        retry.maxAge().ifPresent(value -> view.put("maxAge", Durations.format(value)));
        return view;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    static List<Map<String, Object>> hostStates(Map<String, HostHealth.HostState.Snapshot> snapshot,
                                                Map<String, ConnectionPool.Stats> connections) {
        return snapshot.values().stream()
            .sorted((a, b) -> a.endpoint.compareTo(b.endpoint))
            .map(state -> {
                Map<String, Object> view = hostState(state);
                view.put("connections", connectionsView(connections.get(state.endpoint)));
                return view;
            })
            .collect(Collectors.toList());
    }

    /** The pooled sessions of an endpoint, summed over the SmtpRouteDelivery mailets (zeros when none). */
    private static Map<String, Object> connectionsView(ConnectionPool.Stats stats) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("inUse", stats == null ? 0 : stats.inUse);
        view.put("idle", stats == null ? 0 : stats.idle);
        view.put("opened", stats == null ? 0 : stats.opened);
        view.put("reused", stats == null ? 0 : stats.reused);
        view.put("busy", stats == null ? 0 : stats.busy);
        return view;
    }
}
