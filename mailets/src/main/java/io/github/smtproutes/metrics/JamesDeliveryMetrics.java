package io.github.smtproutes.metrics;

import java.time.Clock;
import java.util.function.LongSupplier;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;

/**
 * {@link DeliveryMetrics} published through James's {@link MetricFactory} (DropWizard in the
 * Guice apps: visible over JMX, domain {@code metrics}, and on WebAdmin {@code GET /metrics} when
 * {@code MetricsRoutes} is enabled). Names end with the route's domain as written in the route
 * table ({@code example.com}, {@code .example.org}, {@code ALL}) or the host's {@code ip_port}:
 * <ul>
 *   <li>{@code smtpRoutes.delivered.<route>}, {@code smtpRoutes.failedOver.<route>},
 *       {@code smtpRoutes.queuedForRetry.<route>}, {@code smtpRoutes.bounced.<route>},
 *       {@code smtpRoutes.dropped.<route>}: meters counting recipients (failovers for failedOver);</li>
 *   <li>{@code smtpRoutes.hostTransaction.<ip_port>}: a timer of SMTP transactions with that host;</li>
 *   <li>{@code smtpRoutes.hostDelivered.<ip_port>}, {@code smtpRoutes.hostFailed.<ip_port>}: meters
 *       of the transactions that host settled, and of those that left recipients pending.</li>
 * </ul>
 * The retry queue size is the gauge {@value RetryQueueGauge#NAME} (all live retry queues). The
 * per-host figures are also kept in {@link #hostStatistics()} for the WebAdmin host view.
 */
@Singleton
public class JamesDeliveryMetrics implements DeliveryMetrics {
    public static final String PREFIX = "smtpRoutes.";

    private final MetricFactory metricFactory;
    private final GaugeRegistry gaugeRegistry;
    private final HostStatistics hostStatistics;

    @Inject
    public JamesDeliveryMetrics(MetricFactory metricFactory, GaugeRegistry gaugeRegistry, Clock clock) {
        this.metricFactory = metricFactory;
        this.gaugeRegistry = gaugeRegistry;
        this.hostStatistics = new HostStatistics(clock);
    }

    /** Publishes the retry queue size, read from {@code size} whenever the gauge is read (once per James). */
    public void registerRetryQueueGauge(LongSupplier size) {
        RetryQueueGauge.register(gaugeRegistry, size);
    }

    public HostStatistics hostStatistics() {
        return hostStatistics;
    }

    @Override
    public void hostDelivered(HostAddress host) {
        hostStatistics.delivered(host.endpoint());
        metricFactory.generate(PREFIX + "hostDelivered." + hostKey(host)).increment();
    }

    @Override
    public void hostFailed(HostAddress host, String reason) {
        hostStatistics.failed(host.endpoint(), reason);
        metricFactory.generate(PREFIX + "hostFailed." + hostKey(host)).increment();
    }

    @Override
    public void delivered(Route route, int recipients) {
        add("delivered", route, recipients);
    }

    @Override
    public void failedOver(Route route) {
        add("failedOver", route, 1);
    }

    @Override
    public void queuedForRetry(Route route, int recipients) {
        add("queuedForRetry", route, recipients);
    }

    @Override
    public void bounced(Route route, int recipients) {
        add("bounced", route, recipients);
    }

    @Override
    public void dropped(Route route, int recipients) {
        add("dropped", route, recipients);
    }

    @Override
    public HostTimer hostTransaction(HostAddress host) {
        TimeMetric timer = metricFactory.timer(PREFIX + "hostTransaction." + hostKey(host));
        return timer::stopAndPublish;
    }

    /**
     * {@code ip_port}, e.g. {@code 192.0.2.10_25}; an IPv6 address has its colons written as
     * {@code _} too. No ':' in names: JMX would quote them, and Prometheus reserves ':' for rules.
     */
    static String hostKey(HostAddress host) {
        return host.ip().replace(':', '_') + "_" + host.port();
    }

    private void add(String what, Route route, int count) {
        if (count > 0) {
            metricFactory.generate(PREFIX + what + "." + route.domain()).add(count);
        }
    }
}
