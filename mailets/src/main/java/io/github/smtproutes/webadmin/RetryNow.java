package io.github.smtproutes.webadmin;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import javax.mail.MessagingException;

import org.apache.james.mailrepository.api.MailKey;

import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.retry.RetryQueue;
import io.github.smtproutes.retry.RetryQueueHandle;

/**
 * The ESA's {@code delivernow}: makes mails waiting in the retry queues due now, those of some
 * routes or all, then wakes each queue's scheduler so they are retried at once rather than at its
 * next tick. Mails are picked from their keys alone (the key carries the due time and a tag of
 * the route); a waiting mail is re-keyed with store-new-then-remove-old, so none is ever lost.
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
            madeDue += makeDue(handle.queue(), handle.queue().waitingNotDue(now), now);
            handle.scheduler().wakeUp();
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
                madeDue += makeDue(handle.queue(), handle.queue().waitingNotDue(route, now), now);
            }
            handle.scheduler().wakeUp();
        }
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("domain", domain);
        view.put("routes", routes);
        view.put("mailsMadeDue", madeDue);
        return view;
    }

    private static int makeDue(RetryQueue queue, List<MailKey> keys, Instant now) throws MessagingException {
        int madeDue = 0;
        for (MailKey key : keys) {
            // false: the scheduler took it meanwhile, it is being retried anyway.
            if (queue.reschedule(key, now)) {
                madeDue++;
            }
        }
        return madeDue;
    }
}
