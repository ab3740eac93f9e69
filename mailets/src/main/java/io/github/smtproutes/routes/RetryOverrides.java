package io.github.smtproutes.routes;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;

/**
 * The retry settings one route changes, from its optional {@code <retry>} element. Settings left
 * out keep the mailet's defaults: {@link RetryPolicy#overriddenBy} combines the two.
 */
public final class RetryOverrides {
    private static final RetryOverrides NONE = new Builder().build();

    private final Optional<Duration> initial;
    private final Optional<Duration> max;
    private final OptionalInt maxAttempts;
    private final Optional<Duration> maxAge;

    private RetryOverrides(Builder builder) {
        this.initial = Optional.ofNullable(builder.initial);
        this.max = Optional.ofNullable(builder.max);
        this.maxAttempts = builder.maxAttempts == null ? OptionalInt.empty() : OptionalInt.of(builder.maxAttempts);
        this.maxAge = Optional.ofNullable(builder.maxAge);
    }

    /** Overrides nothing. */
    public static RetryOverrides none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The delay after the first failed attempt. */
    public Optional<Duration> initial() {
        return initial;
    }

    /** The longest delay between attempts. */
    public Optional<Duration> max() {
        return max;
    }

    public OptionalInt maxAttempts() {
        return maxAttempts;
    }

    /** How long after the first attempt a message is bounced. */
    public Optional<Duration> maxAge() {
        return maxAge;
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof RetryOverrides)) {
            return false;
        }
        RetryOverrides that = (RetryOverrides) other;
        return initial.equals(that.initial) && max.equals(that.max)
            && maxAttempts.equals(that.maxAttempts) && maxAge.equals(that.maxAge);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initial, max, maxAttempts, maxAge);
    }

    @Override
    public String toString() {
        StringJoiner fields = new StringJoiner(", ", "RetryOverrides{", "}");
        initial.ifPresent(value -> fields.add("initial=" + Durations.describe(value)));
        max.ifPresent(value -> fields.add("max=" + Durations.describe(value)));
        maxAttempts.ifPresent(value -> fields.add("maxAttempts=" + value));
        maxAge.ifPresent(value -> fields.add("maxAge=" + Durations.describe(value)));
        return fields.toString();
    }

    /** Collects overrides; {@link #build()} checks them. */
    public static final class Builder {
        private Duration initial;
        private Duration max;
        private Integer maxAttempts;
        private Duration maxAge;

        private Builder() {
        }

        public Builder initial(Duration initial) {
            this.initial = Objects.requireNonNull(initial, "initial");
            return this;
        }

        public Builder max(Duration max) {
            this.max = Objects.requireNonNull(max, "max");
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder maxAge(Duration maxAge) {
            this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
            return this;
        }

        /**
         * @throws IllegalArgumentException if a duration is not positive, maxAttempts is outside
         *     1..100000, or initial is greater than max
         */
        public RetryOverrides build() {
            RetryPolicy.requirePositive("initial", initial);
            RetryPolicy.requirePositive("max", max);
            RetryPolicy.requirePositive("maxAge", maxAge);
            if (maxAttempts != null) {
                RetryPolicy.requireAttemptsInRange(maxAttempts);
            }
            if (initial != null && max != null) {
                RetryPolicy.requireInitialAtMostMax(initial, max);
            }
            return new RetryOverrides(this);
        }
    }
}
