package io.github.smtproutes.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringReader;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import org.apache.commons.configuration2.XMLConfiguration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.commons.configuration2.io.FileHandler;
import org.junit.jupiter.api.Test;

import io.github.smtproutes.smtp.HostFailures;
import io.github.smtproutes.delivery.HostPlanner;
import io.github.smtproutes.delivery.RoundRobin;
import io.github.smtproutes.metrics.CallAheadMetrics;

/**
 * The {@code <callAhead>} element of the RCPT hook: defaults, every setting, clear errors for bad
 * input, and one set of settings for the whole James.
 */
class CallAheadSettingsTest {
    @Test
    void aHookWithoutTheElementLeavesTheSettingsAlone() throws Exception {
        assertThat(CallAheadSettings.read(hook(""), "hook")).isEmpty();
        assertThat(CallAheadSettings.DEFAULT.toString())
            .isEqualTo("timeout=10s positiveTtl=1h negativeTtl=10m cacheSize=10000 maxConnectionsPerHost=5");
    }

    @Test
    void readsEverySettingAndDefaultsTheOthers() throws Exception {
        CallAheadSettings all = CallAheadSettings.read(hook("<callAhead><timeout>3s</timeout><positiveTtl>2h</positiveTtl>"
            + "<negativeTtl>5m</negativeTtl><cacheSize>50</cacheSize><maxConnectionsPerHost>2</maxConnectionsPerHost>"
            + "<heloName>gw.example.com</heloName></callAhead>"), "hook").orElseThrow();
        CallAheadSettings some = CallAheadSettings.read(hook("<callAhead><timeout>3s</timeout></callAhead>"), "hook").orElseThrow();

        assertThat(all).isEqualTo(new CallAheadSettings(Duration.ofSeconds(3), Duration.ofHours(2), Duration.ofMinutes(5), 50, 2,
            Optional.of("gw.example.com")));
        assertThat(some).isEqualTo(new CallAheadSettings(Duration.ofSeconds(3), Duration.ofHours(1), Duration.ofMinutes(10),
            10_000, 5, Optional.empty()));
    }

    @Test
    void badInputNamesTheHookAndTheSetting() {
        assertThatThrownBy(() -> CallAheadSettings.read(hook("<callAhead><timeout>10</timeout></callAhead>"), "InboundRouteRcptHook"))
            .isInstanceOf(ConfigurationException.class)
            .hasMessageStartingWith("InboundRouteRcptHook: <callAhead><timeout>: duration '10' has no unit");
        assertThatThrownBy(() -> CallAheadSettings.read(hook("<callAhead><cacheSize>0</cacheSize></callAhead>"), "InboundRouteRcptHook"))
            .hasMessage("InboundRouteRcptHook: <callAhead><cacheSize>: '0' is not a whole number from 1 to 10000000");
        assertThatThrownBy(() -> CallAheadSettings.read(hook("<callAhead><ttl>1h</ttl></callAhead>"), "InboundRouteRcptHook"))
            .hasMessageStartingWith("InboundRouteRcptHook: <callAhead><ttl>: unknown setting (allowed: timeout, positiveTtl,");
    }

    @Test
    void everyListenerSharesOneSetOfSettings() {
        RecipientVerifier verifier = new RecipientVerifier(new HostPlanner(null, new RoundRobin(), new HostFailures(Clock.systemUTC())),
            CallAheadMetrics.NONE, () -> "localhost", Clock.systemUTC());
        try {
            CallAheadSettings shortTimeout = new CallAheadSettings(Duration.ofSeconds(3), Duration.ofHours(1), Duration.ofMinutes(10),
                10_000, 5, Optional.empty());
            verifier.configure(shortTimeout, "hook on port 25");
            verifier.configure(shortTimeout, "hook on port 587");
            assertThat(verifier.settings()).isEqualTo(shortTimeout);

            assertThatThrownBy(() -> verifier.configure(CallAheadSettings.DEFAULT, "hook on port 465"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("<callAhead> settings differ from those of hook on port 587 (timeout=3s");
        } finally {
            verifier.close();
        }
    }

    private static XMLConfiguration hook(String children) throws ConfigurationException {
        XMLConfiguration config = new XMLConfiguration();
        new FileHandler(config).load(new StringReader("<handler><routes>file://conf/smtproutes.xml</routes>" + children + "</handler>"));
        return config;
    }
}
