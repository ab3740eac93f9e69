package io.github.smtproutes.webadmin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.apache.james.core.MailAddress;

import io.github.smtproutes.LiveRouteTable;
import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.routes.Durations;
import io.github.smtproutes.routes.RecipientVerification;
import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.ConnectionPool;
import io.github.smtproutes.verify.RcptAnswer;
import io.github.smtproutes.verify.RecipientVerifier;
import io.github.smtproutes.verify.Verification;
import io.github.smtproutes.verify.VerificationCache;

/**
 * The JSON views behind WebAdmin's call-ahead endpoints ({@code /smtpRoutes/verify...}): the
 * verification of one address, as its RCPT would get it, and the cache and session figures.
 * The HTTP side (parameters, errors) stays in {@link SmtpRoutesRoutes}.
 */
final class VerifyEndpoints {
    private final SmtpRoutes smtpRoutes;
    private final RecipientVerifier verifier;

    VerifyEndpoints(SmtpRoutes smtpRoutes, RecipientVerifier verifier) {
        this.smtpRoutes = smtpRoutes;
        this.verifier = verifier;
    }

    /** The first route, over the loaded route files, that verifies {@code recipient}'s domain. */
    Optional<Route> verifyingRoute(MailAddress recipient) {
        String domain = recipient.getDomain().asString();
        for (LiveRouteTable table : smtpRoutes.tables()) {
            Optional<Route> route = table.current().routeFor(domain)
                .filter(found -> found.inbound() && found.verifyRecipients() != RecipientVerification.OFF);
            if (route.isPresent()) {
                return route;
            }
        }
        return Optional.empty();
    }

    /** Verifies {@code recipient} as a RCPT would (cache included, unless {@code fresh}). */
    Map<String, Object> verify(Route route, MailAddress recipient, boolean fresh) {
        if (fresh) {
            verifier.forget(recipient);
        }
        RcptAnswer answer = verifier.answerRcpt(route, recipient, "WebAdmin");
        Verification verification = answer.verification();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("recipient", recipient.asString());
        view.put("route", route.domain());
        view.put("result", verification.word());
        view.put("cached", verification.fromCache());
        verification.host().ifPresent(host -> view.put("host", host));
        view.put("hostReply", verification.reply().text());
        view.put("rcptAction", answer.action());
        view.put("rcptReply", answer.accept() ? "250" : answer.reply().text());
        view.put("onVerifyFailure", route.onVerifyFailure().keyword());
        return view;
    }

    Map<String, Object> cacheView() {
        VerificationCache.Stats stats = verifier.cacheStats();
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("settings", settingsView());
        Map<String, Object> positive = new LinkedHashMap<>();
        positive.put("size", stats.positiveSize);
        positive.put("hits", stats.positiveHits);
        positive.put("ttl", Durations.format(verifier.settings().positiveTtl()));
        Map<String, Object> negative = new LinkedHashMap<>();
        negative.put("size", stats.negativeSize);
        negative.put("hits", stats.negativeHits);
        negative.put("ttl", Durations.format(verifier.settings().negativeTtl()));
        view.put("positive", positive);
        view.put("negative", negative);
        view.put("misses", stats.misses);
        view.put("joined", stats.joined);
        view.put("inFlight", stats.inFlight);
        view.put("evictions", stats.evictions);
        view.put("sessions", sessionsView());
        return view;
    }

    private Map<String, Object> settingsView() {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("timeout", Durations.format(verifier.settings().timeout()));
        view.put("cacheSize", verifier.settings().cacheSize());
        view.put("maxConnectionsPerHost", verifier.settings().maxConnectionsPerHost());
        return view;
    }

    private List<Map<String, Object>> sessionsView() {
        Map<String, Long> busy = verifier.busyCounts();
        List<Map<String, Object>> hosts = new ArrayList<>();
        for (Map.Entry<String, ConnectionPool.Stats> entry : verifier.sessionStats().entrySet()) {
            Map<String, Object> host = new LinkedHashMap<>();
            host.put("host", entry.getKey());
            host.put("idle", entry.getValue().idle);
            host.put("opened", entry.getValue().opened);
            host.put("reused", entry.getValue().reused);
            host.put("busy", busy.getOrDefault(entry.getKey(), 0L));
            hosts.add(host);
        }
        return hosts;
    }
}
