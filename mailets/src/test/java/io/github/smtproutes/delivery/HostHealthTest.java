package io.github.smtproutes.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/**
 * The rules of host health: backoff doubling to its cap, success marking up, mail-level failures
 * not marking down, and who may try a host now (free when proven, a few at once while unproven,
 * one probe while failing).
 */
class HostHealthTest {
    static final String HOST = "127.0.0.1:2525";
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    final HostHealth health = new HostHealth(clock);

    @Test
    void backoffStartsAtTheInitialValueDoublesAndStopsAtTheCap() {
        health.configureBackoff(Duration.ofSeconds(30), Duration.ofMinutes(10));
        assertThat(health.backoff(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(health.backoff(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(health.backoff(5)).isEqualTo(Duration.ofMinutes(8));
        assertThat(health.backoff(6)).isEqualTo(Duration.ofMinutes(10));
        assertThat(health.backoff(60)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void answeredListenersHearAHostThatWasDownOrUnprovenSucceedButNotAProvenOne() {
        java.util.List<String> answered = new java.util.ArrayList<>();
        java.util.function.Consumer<String> listener = answered::add;
        health.addAnsweredListener(listener);

        health.recordSuccess(HOST);
        health.recordSuccess(HOST);
        health.recordHostFailure(HOST, "421 4.3.2 Not now");
        health.recordSuccess(HOST);
        health.removeAnsweredListener(listener);
        health.recordHostFailure(HOST, "421 4.3.2 Not now");
        health.recordSuccess(HOST);

        assertThat(answered).containsExactly(HOST, HOST);
    }

    @Test
    void aBackoffNeedsAPositiveInitialValueNotAboveTheCap() {
        assertThatThrownBy(() -> health.configureBackoff(Duration.ZERO, Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> health.configureBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aHostFailureMarksDownUntilTheBackoffEndsAndASuccessMarksUp() {
        health.configureBackoff(Duration.ofSeconds(30), Duration.ofMinutes(10));
        health.recordHostFailure(HOST, "421 4.3.2 busy");
        assertThat(health.isDown(HOST)).isTrue();
        clock.advance(Duration.ofSeconds(31));
        assertThat(health.isDown(HOST)).isFalse();

        health.recordHostFailure(HOST, "421 4.3.2 busy");
        clock.advance(Duration.ofSeconds(31));
        assertThat(health.isDown(HOST)).as("second failure: 60 s").isTrue();

        health.recordSuccess(HOST);
        assertThat(health.isDown(HOST)).isFalse();
        assertThat(health.snapshot().get(HOST).consecutiveFailures).isZero();
    }

    @Test
    void aMailLevelFailureLeavesTheHostUp() {
        health.recordMailFailure(HOST, "452 4.2.2 Mailbox full");
        assertThat(health.isDown(HOST)).isFalse();
        assertThat(health.snapshot().get(HOST).failed).isEqualTo(1);
    }

    @Test
    void anUnprovenHostTakesAFewDeliveriesAtOnceAProvenOneAny() {
        Optional<HostHealth.Attempt> first = health.admit(HOST);
        Optional<HostHealth.Attempt> second = health.admit(HOST);
        assertThat(first).isPresent();
        assertThat(second).isPresent();
        assertThat(health.admit(HOST)).as("third while unproven").isEmpty();
        assertThat(health.isProving(HOST)).isTrue();

        first.get().close();
        assertThat(health.admit(HOST)).as("a place freed").isPresent();

        health.recordSuccess(HOST);
        assertThat(health.isProving(HOST)).isFalse();
        for (int i = 0; i < 50; i++) {
            assertThat(health.admit(HOST)).isPresent();
        }
    }

    @Test
    void aFailingHostIsProbedByOneDeliveryAtATime() {
        health.recordHostFailure(HOST, "no reply within 2000 ms (GREETING)");
        Optional<HostHealth.Attempt> probe = health.admit(HOST);
        assertThat(probe).isPresent();
        assertThat(health.admit(HOST)).isEmpty();
        assertThat(health.isProving(HOST)).as("failing, not proving").isFalse();

        probe.get().close();
        assertThat(health.admit(HOST)).isPresent();
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
