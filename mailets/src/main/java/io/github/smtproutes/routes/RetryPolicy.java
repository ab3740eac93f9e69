package io.github.smtproutes.routes;

import java.time.Duration;
import java.util.Objects;

/**
 * When to try a message again after a failed delivery and when to give up: the delay starts at
 * {@link #initial()} and doubles after each failure up to {@link #max()}; the message is bounced
 * after {@link #maxAttempts()} failures or once it is {@link #maxAge()} old, whichever comes
 * first. The mailet holds the defaults; a route's {@link RetryOverrides} adjust them.
 */
public final class RetryPolicy {
    static final int MAX_ATTEMPTS_LIMIT = 100_000;

    /** 60s initial delay, 1h max delay, 100 attempts, 72h max age. */
    public static final RetryPolicy DEFAULT =
        new RetryPolicy(Duration.ofSeconds(60), Duration.ofHours(1), 100, Duration.ofHours(72));

    private final Duration initial;
    private final Duration max;
    private final int maxAttempts;
    private final Duration maxAge;

    /**
     * @throws IllegalArgumentException if a duration is not positive, maxAttempts is outside
     *     1..100000, or initial is greater than max
     */
    public RetryPolicy(Duration initial, Duration max, int maxAttempts, Duration maxAge) {
        this.initial = requirePositive("initial", Objects.requireNonNull(initial, "initial"));
        this.max = requirePositive("max", Objects.requireNonNull(max, "max"));
        this.maxAttempts = requireAttemptsInRange(maxAttempts);
        this.maxAge = requirePositive("maxAge", Objects.requireNonNull(maxAge, "maxAge"));
        requireInitialAtMostMax(initial, max);
    }

    public Duration initial() {
        return initial;
    }

    public Duration max() {
        return max;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration maxAge() {
        return maxAge;
    }

    /**
     * The delay to wait after the {@code failedAttempts}-th failed attempt: {@code initial *
     * 2^(failedAttempts-1)}, capped at {@code max}. Never overflows, however many attempts.
     *
     * @throws IllegalArgumentException if {@code failedAttempts < 1}
     */
    public Duration delayBeforeAttempt(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts must be at least 1, got " + failedAttempts);
        }
        Duration delay = initial;
        for (int doublings = 1; doublings < failedAttempts; doublings++) {
            if (delay.compareTo(max.dividedBy(2)) > 0) {
                return max;
            }
            delay = delay.multipliedBy(2);
        }
        return delay;
    }

    /** Whether a message that failed {@code failedAttempts} times and is {@code age} old should bounce. */
    public boolean givesUp(int failedAttempts, Duration age) {
        Objects.requireNonNull(age, "age");
        return failedAttempts >= maxAttempts || age.compareTo(maxAge) >= 0;
    }

    /**
     * This policy with a route's overrides applied; settings the route does not set keep this
     * policy's values.
     *
     * @throws IllegalArgumentException if the result is inconsistent, e.g. the route sets
     *     {@code initial="2h"} while this policy's max is 1h
     */
    public RetryPolicy overriddenBy(RetryOverrides overrides) {
        Objects.requireNonNull(overrides, "overrides");
        return new RetryPolicy(
            overrides.initial().orElse(initial),
            overrides.max().orElse(max),
            overrides.maxAttempts().orElse(maxAttempts),
            overrides.maxAge().orElse(maxAge));
    }

    static Duration requirePositive(String name, Duration duration) {
        if (duration != null && (duration.isNegative() || duration.isZero())) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }

    static int requireAttemptsInRange(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
            throw new IllegalArgumentException("maxAttempts must be 1.." + MAX_ATTEMPTS_LIMIT + ", got " + maxAttempts);
        }
        return maxAttempts;
    }

    static void requireInitialAtMostMax(Duration initial, Duration max) {
        if (initial.compareTo(max) > 0) {
            throw new IllegalArgumentException("initial " + Durations.describe(initial)
                + " is greater than max " + Durations.describe(max));
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RetryPolicy)) {
            return false;
        }
        RetryPolicy that = (RetryPolicy) other;
        return initial.equals(that.initial) && max.equals(that.max)
            && maxAttempts == that.maxAttempts && maxAge.equals(that.maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, max, maxAttempts, maxAge);
    }

    @Override
    public String toString() {
        return "RetryPolicy{initial=" + Durations.describe(initial) + ", max=" + Durations.describe(max)
            + ", maxAttempts=" + maxAttempts + ", maxAge=" + Durations.describe(maxAge) + "}";
    }
}
