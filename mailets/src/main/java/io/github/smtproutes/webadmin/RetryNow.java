package io.github.smtproutes.webadmin;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.mail.MessagingException;


import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.retry.RetryQueueHandle;

/**
 * The ESA's {@code delivernow}: asks each queue's scheduler to treat the waiting mails of some
 * routes, or all, as due now, and to run at once rather than at its next tick. Nothing is
 * rewritten here: the scheduler applies the request on its own thread, handing out each waiting
 * key once, so a call made while workers drain the queue neither duplicates nor loses a mail. The
 * answer counts the mails waiting at the time of the call, from their keys alone.
 */
final class RetryNow {
    private static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?";
    private static final Pattern DOMAIN = Pattern.compile("\\.?" + LABEL + "(\\." + LABEL + ")*\\.?");

    private final SmtpRoutes smtpRoutes;
    private final Clock clock;

    RetryNow(SmtpRoutes smtpRoutes, Clock clock) {
        this.smtpRoutes = smtpRoutes;
        this.clock = clock;
    }

    static boolean isDomainName(String text) {
        return DOMAIN.matcher(text).matches();
    }

    /** Every waiting mail of every queue. */
    Map<String, Object> all() throws MessagingException {
        Instant now = clock.instant();
        int madeDue = 0;
        for (RetryQueueHandle handle : smtpRoutes.retryQueues()) {
            madeDue += handle.queue().waitingNotDue(now).size();
            handle.scheduler().deliverNow(Optional.empty());
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("routes", "all");
        view.put("mailsMadeDue", madeDue);
        return view;
    }

    /** The waiting mails of the routes {@code domain} resolves to ({@code routes}: their domain keys). */
    Map<String, Object> routes(String domain, List<String> routes) throws MessagingException {
        Instant now = clock.instant();
        int madeDue = 0;
        for (RetryQueueHandle handle : smtpRoutes.retryQueues()) {
            for (String route : routes) {
                madeDue += handle.queue().waitingNotDue(route, now).size();
            }
            handle.scheduler().deliverNow(Optional.of(routes));
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("domain", domain);
        view.put("routes", routes);
        view.put("mailsMadeDue", madeDue);
        return view;
    }
}
