package io.github.smtproutes.metrics;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;

/**
 * What SMTP Routes counts while it verifies recipients (SMTP call-ahead): per route, the RCPTs
 * answered from a verification that accepted, refused or got no answer, and those answered from
 * the cache; per host, the time of each question. {@link #NONE} counts nothing (unit tests); in
 * James, {@link JamesCallAheadMetrics} publishes through James's MetricFactory.
 */
public interface CallAheadMetrics {
    CallAheadMetrics NONE = new CallAheadMetrics() {
        @Override
        public void accepted(Route route) {
        }

        @Override
        public void refused(Route route) {
        }

        @Override
        public void failed(Route route) {
        }

        @Override
        public void cacheHit(Route route) {
        }

        @Override
        public DeliveryMetrics.HostTimer hostQuestion(HostAddress host) {
            return () -> { };
        }
    };

    /** A RCPT whose recipient a host accepted (freshly or from the cache). */
    void accepted(Route route);

    /** A RCPT refused because a host refused the recipient (freshly or from the cache). */
    void refused(Route route);

    /** A RCPT for which no host gave a definite answer in time; the route's onVerifyFailure answered. */
    void failed(Route route);

    /** A RCPT answered from the cache, without asking a host. */
    void cacheHit(Route route);

    /** Starts timing one call-ahead question to {@code host}; stop it when the answer is in. */
    DeliveryMetrics.HostTimer hostQuestion(HostAddress host);
}
