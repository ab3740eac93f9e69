package io.github.smtproutes.metrics;

import java.util.function.LongSupplier;

import org.apache.james.metrics.api.GaugeRegistry;

/**
 * The gauge {@value #NAME}: how many mails wait in the retry queues of all live
 * SmtpRouteDelivery mailets, read from the repositories whenever the gauge is read.
 */
final class RetryQueueGauge {
    static final String NAME = "smtpRoutes.retryQueue.size";

    private RetryQueueGauge() {
    }

    static void register(GaugeRegistry registry, LongSupplier size) {
        try {
            registry.register(NAME, size::getAsLong);
        } catch (IllegalArgumentException alreadyRegistered) {
            // One gauge per James is enough: a second registration reads the same queues.
        }
    }
}
