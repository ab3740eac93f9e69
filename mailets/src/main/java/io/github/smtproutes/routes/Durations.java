package io.github.smtproutes.routes;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes the durations used in route files and mailet parameters: a positive whole
 * number followed by a unit, as in {@code 250ms}, {@code 60s}, {@code 5m}, {@code 1h} or
 * {@code 3d}. A bare number is refused because nobody can tell whether {@code 60} meant seconds
 * or minutes; {@link #format} writes the shortest form that {@link #parse} reads back exactly.
 */
public final class Durations {
    private static final String EXPECTED = "expected a positive whole number followed by ms, s, m, h or d, e.g. '60s'";
    private static final Pattern NUMBER_AND_UNIT = Pattern.compile("([0-9]+)([a-zA-Z]*)");

    /** The units, largest first, so that formatting tries the shortest spelling first. */
    private static final List<Unit> UNITS = List.of(
        new Unit("d", Duration.ofDays(1)),
        new Unit("h", Duration.ofHours(1)),
        new Unit("m", Duration.ofMinutes(1)),
        new Unit("s", Duration.ofSeconds(1)),
        new Unit("ms", Duration.ofMillis(1)));

    private Durations() {
    }

    /**
     * Reads a duration such as {@code "90s"}.
     *
     * @throws IllegalArgumentException saying what is wrong with {@code text}
     */
    public static Duration parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.trim();
        Matcher matcher = NUMBER_AND_UNIT.matcher(trimmed);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("invalid duration '" + text + "': " + EXPECTED);
        }
        if (matcher.group(2).isEmpty()) {
            throw new IllegalArgumentException("duration '" + text + "' has no unit: write e.g. '"
                + trimmed + "s' or '" + trimmed + "m' (units: ms, s, m, h, d)");
        }
        Unit unit = unitNamed(matcher.group(2), text);
        Duration duration = multiply(unit, matcher.group(1), text);
        if (duration.isZero()) {
            throw new IllegalArgumentException("duration '" + text + "' must be positive");
        }
        return duration;
    }

    /**
     * Writes {@code duration} in its shortest exact form: {@code 90s}, {@code 1h}, {@code 1500ms}.
     * Zero is written {@code 0s}.
     *
     * @throws IllegalArgumentException if the duration is negative or not a whole number of
     *     milliseconds, which no form can express exactly
     */
    public static String format(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            throw new IllegalArgumentException("cannot format negative duration " + duration);
        }
        if (duration.isZero()) {
            return "0s";
        }
        for (Unit unit : UNITS) {
            long amount = duration.dividedBy(unit.length);
            if (unit.length.multipliedBy(amount).equals(duration)) {
                return amount + unit.suffix;
            }
        }
        throw new IllegalArgumentException("cannot format " + duration + " exactly: it is not a whole number of milliseconds");
    }

    /** Like {@link #format} but never fails: for messages and {@code toString()}. */
    static String describe(Duration duration) {
        try {
            return format(duration);
        } catch (IllegalArgumentException e) {
            return duration.toString();
        }
    }

    private static Unit unitNamed(String suffix, String text) {
        for (Unit unit : UNITS) {
            if (unit.suffix.equals(suffix)) {
                return unit;
            }
        }
        String hint = UNITS.stream().anyMatch(unit -> unit.suffix.equals(suffix.toLowerCase(Locale.ROOT)))
            ? " (units are lowercase)" : "";
        throw new IllegalArgumentException("invalid duration '" + text + "': unknown unit '" + suffix + "'" + hint
            + "; " + EXPECTED);
    }

    private static Duration multiply(Unit unit, String digits, String text) {
        try {
            return unit.length.multipliedBy(Long.parseLong(digits));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("duration '" + text + "' is too large");
        }
    }

    private static final class Unit {
        final String suffix;
        final Duration length;

        Unit(String suffix, Duration length) {
            this.suffix = suffix;
            this.length = length;
        }
    }
}
