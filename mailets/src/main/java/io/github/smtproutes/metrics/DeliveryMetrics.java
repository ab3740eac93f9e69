package io.github.smtproutes.metrics;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;

/**
 * What SMTP Routes counts while it delivers: per route, the recipients delivered, bounced,
 * queued for retry or dropped by {@code /dev/null}, and the failovers to a next host; per host,
 * the time of each SMTP transaction and the transactions it settled or failed. {@link #NONE} counts nothing (unit tests); in James,
 * {@link JamesDeliveryMetrics} publishes through James's MetricFactory.
 */
public interface DeliveryMetrics {
    DeliveryMetrics NONE = new DeliveryMetrics() {
        @Override
        public void delivered(Route route, int recipients) {
        }

        @Override
        public void failedOver(Route route) {
        }

        @Override
        public void queuedForRetry(Route route, int recipients) {
        }

        @Override
        public void bounced(Route route, int recipients) {
        }

        @Override
        public void dropped(Route route, int recipients) {
        }

        @Override
        public HostTimer hostTransaction(HostAddress host) {
            return () -> { };
        }

        @Override
        public void hostDelivered(HostAddress host) {
        }

        @Override
        public void hostFailed(HostAddress host, String reason) {
        }
    };

    /** Recipients a host of the route accepted. */
    void delivered(Route route, int recipients);

    /** A delivery left a host of the route with recipients still pending and moved on to the next host. */
    void failedOver(Route route);

    /** Recipients that failed at every host and wait in the retry queue. */
    void queuedForRetry(Route route, int recipients);

    /** Recipients bounced: refused for good, or expired after their last retry. */
    void bounced(Route route, int recipients);

    /** Recipients accepted and dropped by a {@code /dev/null} route. */
    void dropped(Route route, int recipients);

    /** A host settled a transaction: it accepted the mail, or refused it for good. */
    void hostDelivered(HostAddress host);

    /** A transaction with a host left recipients pending: the host failed, or refused them for now. */
    void hostFailed(HostAddress host, String reason);

    /** Starts timing one SMTP transaction with {@code host}; stop it when the transaction ends, however it ends. */
    HostTimer hostTransaction(HostAddress host);

    /** A running timer. */
    interface HostTimer {
        void stop();
    }
}
