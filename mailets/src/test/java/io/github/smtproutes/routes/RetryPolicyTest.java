package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Checks the retry arithmetic: doubling delays with a cap, giving up, and route overrides. */
class RetryPolicyTest {
    private static final RetryPolicy POLICY = RetryPolicy.DEFAULT;

    @Test
    void defaultIsSixtySecondsToOneHourHundredAttemptsSeventyTwoHours() {
        assertThat(POLICY.initial()).isEqualTo(Duration.ofSeconds(60));
        assertThat(POLICY.max()).isEqualTo(Duration.ofHours(1));
        assertThat(POLICY.maxAttempts()).isEqualTo(100);
        assertThat(POLICY.maxAge()).isEqualTo(Duration.ofHours(72));
    }

    @Test
    void delayDoublesFromInitialAndIsCappedAtMax() {
        List<Long> seconds = new ArrayList<>();
        for (int failedAttempts = 1; failedAttempts <= 9; failedAttempts++) {
            seconds.add(POLICY.delayBeforeAttempt(failedAttempts).getSeconds());
        }
        assertThat(seconds).containsExactly(60L, 120L, 240L, 480L, 960L, 1920L, 3600L, 3600L, 3600L);
    }

    @Test
    void capAppliesWhenMaxIsNotAPowerOfTwoOfInitial() {
        RetryPolicy policy = new RetryPolicy(Duration.ofSeconds(7), Duration.ofSeconds(100), 10, Duration.ofHours(1));
        assertThat(policy.delayBeforeAttempt(4)).isEqualTo(Duration.ofSeconds(56));
        assertThat(policy.delayBeforeAttempt(5)).isEqualTo(Duration.ofSeconds(100));
    }

    @Test
    void manyAttemptsStayCappedWithoutOverflow() {
        assertThat(POLICY.delayBeforeAttempt(200)).isEqualTo(Duration.ofHours(1));
        assertThat(POLICY.delayBeforeAttempt(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));

        Duration hugeMax = Duration.ofSeconds(Long.MAX_VALUE);
        RetryPolicy unbounded = new RetryPolicy(Duration.ofSeconds(1), hugeMax, 100, Duration.ofDays(1));
        assertThat(unbounded.delayBeforeAttempt(63)).isEqualTo(Duration.ofSeconds(1L << 62));
        assertThat(unbounded.delayBeforeAttempt(200)).isEqualTo(hugeMax);
    }

    @Test
    void delayBeforeFirstRetryIsInitialEvenWhenEqualToMax() {
        RetryPolicy flat = new RetryPolicy(Duration.ofMinutes(5), Duration.ofMinutes(5), 10, Duration.ofHours(1));
        assertThat(flat.delayBeforeAttempt(1)).isEqualTo(Duration.ofMinutes(5));
        assertThat(flat.delayBeforeAttempt(50)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void delayNeedsAtLeastOneFailedAttempt() {
        assertThatThrownBy(() -> POLICY.delayBeforeAttempt(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("failedAttempts must be at least 1, got 0");
    }

    @Test
    void givesUpAfterMaxAttempts() {
        assertThat(POLICY.givesUp(99, Duration.ofMinutes(1))).isFalse();
        assertThat(POLICY.givesUp(100, Duration.ofMinutes(1))).isTrue();
        assertThat(POLICY.givesUp(101, Duration.ofMinutes(1))).isTrue();
    }

    @Test
    void givesUpAtMaxAge() {
        assertThat(POLICY.givesUp(1, Duration.ofHours(72).minusSeconds(1))).isFalse();
        assertThat(POLICY.givesUp(1, Duration.ofHours(72))).isTrue();
        assertThat(POLICY.givesUp(1, Duration.ofDays(10))).isTrue();
    }

    @Test
    void overridesReplaceOnlyTheSettingsTheyHave() {
        RetryOverrides overrides = RetryOverrides.builder().initial(Duration.ofSeconds(30)).maxAttempts(5).build();

        RetryPolicy combined = POLICY.overriddenBy(overrides);

        assertThat(combined).isEqualTo(new RetryPolicy(Duration.ofSeconds(30), Duration.ofHours(1), 5, Duration.ofHours(72)));
        assertThat(POLICY.overriddenBy(RetryOverrides.none())).isEqualTo(POLICY);
    }

    @Test
    void overridesThatContradictTheDefaultsAreRefused() {
        RetryOverrides slowStart = RetryOverrides.builder().initial(Duration.ofHours(2)).build();

        assertThatThrownBy(() -> POLICY.overriddenBy(slowStart))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("initial 2h is greater than max 1h");
    }

    @Test
    void constructorChecksItsArguments() {
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofHours(2), Duration.ofHours(1), 10, Duration.ofDays(1)))
            .hasMessage("initial 2h is greater than max 1h");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ZERO, Duration.ofHours(1), 10, Duration.ofDays(1)))
            .hasMessage("initial must be positive, got PT0S");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofHours(1), 0, Duration.ofDays(1)))
            .hasMessage("maxAttempts must be 1..100000, got 0");
        assertThatThrownBy(() -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofHours(1), 10, Duration.ofDays(-1)))
            .hasMessage("maxAge must be positive, got PT-24H");
    }

    @Test
    void overridesCheckTheirOwnConsistency() {
        assertThatThrownBy(() -> RetryOverrides.builder().initial(Duration.ofHours(2)).max(Duration.ofHours(1)).build())
            .hasMessage("initial 2h is greater than max 1h");
        assertThatThrownBy(() -> RetryOverrides.builder().maxAttempts(100_001).build())
            .hasMessage("maxAttempts must be 1..100000, got 100001");
        assertThat(RetryOverrides.none().isEmpty()).isTrue();
        assertThat(RetryOverrides.builder().maxAge(Duration.ofDays(1)).build().maxAge()).contains(Duration.ofDays(1));
    }

    @Test
    void toStringUsesDurationForms() {
        assertThat(POLICY).hasToString("RetryPolicy{initial=1m, max=1h, maxAttempts=100, maxAge=3d}");
    }
}
