package io.github.smtproutes.metrics;

import java.util.function.Supplier;

import javax.inject.Inject;
import javax.inject.Singleton;

import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;

import io.github.smtproutes.routes.Route;
import io.github.smtproutes.smtp.HostAddress;

/**
 * {@link CallAheadMetrics} published through James's {@link MetricFactory}, named like the
 * delivery metrics ({@link JamesDeliveryMetrics}):
 * <ul>
 *   <li>{@code smtpRoutes.callAhead.accepted.<route>}, {@code smtpRoutes.callAhead.refused.<route>},
 *       {@code smtpRoutes.callAhead.failed.<route>}: meters counting RCPTs by verification result;</li>
 *   <li>{@code smtpRoutes.callAhead.cacheHit.<route>}: RCPTs answered from the cache;</li>
 *   <li>{@code smtpRoutes.callAhead.hostQuestion.<ip_port>}: a timer of call-ahead questions to that host;</li>
 *   <li>gauges {@value #POSITIVE_SIZE} and {@value #NEGATIVE_SIZE}: addresses held by each cache.</li>
 * </ul>
 */
@Singleton
public class JamesCallAheadMetrics implements CallAheadMetrics {
    public static final String PREFIX = JamesDeliveryMetrics.PREFIX + "callAhead.";
    public static final String POSITIVE_SIZE = "smtpRoutes.callAhead.cache.positive.size";
    public static final String NEGATIVE_SIZE = "smtpRoutes.callAhead.cache.negative.size";

    private final MetricFactory metricFactory;
    private final GaugeRegistry gaugeRegistry;

    @Inject
    public JamesCallAheadMetrics(MetricFactory metricFactory, GaugeRegistry gaugeRegistry) {
        this.metricFactory = metricFactory;
        this.gaugeRegistry = gaugeRegistry;
    }

    /** Publishes the two cache sizes, read whenever the gauges are read; once per James. */
    public void registerCacheGauges(Supplier<Long> positiveSize, Supplier<Long> negativeSize) {
        register(POSITIVE_SIZE, positiveSize);
        register(NEGATIVE_SIZE, negativeSize);
    }

    private void register(String name, Supplier<Long> value) {
        try {
            gaugeRegistry.register(name, value::get);
        } catch (IllegalArgumentException alreadyRegistered) {
            // One gauge per James: a second registration would read the same cache.
        }
    }

    @Override
    public void accepted(Route route) {
        add("accepted", route);
    }

    @Override
    public void refused(Route route) {
        add("refused", route);
    }

    @Override
    public void failed(Route route) {
        add("failed", route);
    }

    @Override
    public void cacheHit(Route route) {
        add("cacheHit", route);
    }

    @Override
    public DeliveryMetrics.HostTimer hostQuestion(HostAddress host) {
        TimeMetric timer = metricFactory.timer(PREFIX + "hostQuestion." + JamesDeliveryMetrics.hostKey(host));
        return timer::stopAndPublish;
    }

    private void add(String what, Route route) {
        metricFactory.generate(PREFIX + what + "." + route.domain()).increment();
    }
}
