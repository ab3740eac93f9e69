package io.github.smtproutes.webadmin;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.Map;
import java.util.stream.Collectors;

import io.github.smtproutes.LiveRouteTable;
import io.github.smtproutes.metrics.HostStatistics;
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
import io.github.smtproutes.smtp.HostFailures;

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

    /**
     * Every endpoint seen so far, sorted: its state from the failure memory (the host's own
     * failure; a route whose TLS or AUTH it refused is listed under {@code routeFailures}), its
     * transaction figures, and its pooled sessions.
     */
    static List<Map<String, Object>> hostStates(List<HostFailures.Failure> failures, Predicate<HostFailures.Failure> isDown,
                                                Map<String, HostStatistics.Snapshot> statistics,
                                                Map<String, ConnectionPool.Stats> connections) {
        TreeSet<String> endpoints = new TreeSet<>(statistics.keySet());
        failures.forEach(failure -> endpoints.add(failure.endpoint));
        return endpoints.stream()
            .map(endpoint -> hostState(endpoint, failures, isDown, statistics.getOrDefault(endpoint, HostStatistics.Snapshot.NONE),
                connections.get(endpoint)))
            .collect(Collectors.toList());
    }

    private static Map<String, Object> hostState(String endpoint, List<HostFailures.Failure> failures, Predicate<HostFailures.Failure> isDown,
                                                 HostStatistics.Snapshot statistics, ConnectionPool.Stats connections) {
        Optional<HostFailures.Failure> own = failures.stream()
            .filter(failure -> failure.endpoint.equals(endpoint) && !failure.isRouteUse()).findFirst();
        boolean down = own.map(isDown::test).orElse(false);
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("endpoint", endpoint);
        view.put("state", down ? "down" : "up");
        view.put("downUntil", down ? text(own.get().until) : null);
        view.put("consecutiveFailures", own.map(failure -> failure.consecutiveFailures).orElse(0));
        view.put("delivered", statistics.delivered);
        view.put("failed", statistics.failed);
        view.put("lastError", statistics.lastError);
        view.put("lastErrorAt", text(statistics.lastErrorAt));
        view.put("routeFailures", failures.stream()
            .filter(failure -> failure.endpoint.equals(endpoint) && failure.isRouteUse())
            .map(failure -> routeFailure(failure, isDown.test(failure)))
            .collect(Collectors.toList()));
        view.put("connections", connectionsView(connections));
        return view;
    }

    /** A route whose TLS or AUTH this endpoint refused: down for that route only. */
    private static Map<String, Object> routeFailure(HostFailures.Failure failure, boolean down) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("route", failure.route);
        view.put("state", down ? "down" : "up");
        view.put("downUntil", down ? text(failure.until) : null);
        view.put("consecutiveFailures", failure.consecutiveFailures);
        view.put("reason", failure.reason);
        return view;
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
