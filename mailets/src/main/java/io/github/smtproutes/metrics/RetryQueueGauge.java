package io.github.smtproutes.metrics;

import javax.mail.MessagingException;

import org.apache.james.metrics.api.GaugeRegistry;

import io.github.smtproutes.SmtpRoutes;
import io.github.smtproutes.retry.RetryQueueHandle;

/**
 * The gauge {@value #NAME}: how many mails wait in the retry queues of all live
 * SmtpRouteDelivery mailets, read from the repositories whenever the gauge is read.
 */
final class RetryQueueGauge {
    static final String NAME = "smtpRoutes.retryQueue.size";

    private RetryQueueGauge() {
    }

    static void register(GaugeRegistry registry, SmtpRoutes smtpRoutes) {
        try {
            registry.register(NAME, () -> size(smtpRoutes));
        } catch (IllegalArgumentException alreadyRegistered) {
            // One gauge per James is enough: a second registration reads the same queues.
        }
    }

    private static long size(SmtpRoutes smtpRoutes) {
        long size = 0;
        for (RetryQueueHandle handle : smtpRoutes.retryQueues()) {
            try {
                size += handle.queue().size();
            } catch (MessagingException e) {
                // An unreadable repository counts as empty rather than breaking the metrics page.
            }
        }
        return size;
    }
}
