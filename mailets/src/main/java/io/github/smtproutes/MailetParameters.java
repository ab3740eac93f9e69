package io.github.smtproutes;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

import javax.mail.MessagingException;

import io.github.smtproutes.routes.Durations;

/**
 * Reads the mailet's init parameters with their defaults, turning bad values into one clear
 * message that names the mailet and the parameter. Durations take a unit (250ms, 30s, 5m, 1h,
 * 3d); a bare number is read as milliseconds, as stock RemoteDelivery does.
 */
final class MailetParameters {
    private final String mailetName;
    private final Function<String, String> values;

    MailetParameters(String mailetName, Function<String, String> values) {
        this.mailetName = mailetName;
        this.values = values;
    }

    Optional<String> string(String name) {
        return Optional.ofNullable(values.apply(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    String string(String name, String defaultValue) {
        return string(name).orElse(defaultValue);
    }

    Duration duration(String name, Duration defaultValue) throws MessagingException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            Duration duration = value.get().matches("\\d+") ? Duration.ofMillis(Long.parseLong(value.get())) : Durations.parse(value.get());
            if (duration.isZero() || duration.isNegative()) {
                throw new IllegalArgumentException("must be positive");
            }
            return duration;
        } catch (RuntimeException e) {
            throw invalid(name, value.get(), "a duration such as 30s, 5m or 1h (" + e.getMessage() + ")");
        }
    }

    Optional<Duration> optionalDuration(String name) throws MessagingException {
        return string(name).isPresent() ? Optional.of(duration(name, null)) : Optional.empty();
    }

    int integer(String name, int defaultValue, int min, int max) throws MessagingException {
        Optional<String> value = string(name);
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            int parsed = Integer.parseInt(value.get());
            if (parsed < min || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "a whole number from " + min + " to " + max);
        }
    }

    private MessagingException invalid(String name, String value, String expected) {
        return new MessagingException("Mailet " + mailetName + ": parameter '" + name + "' is '" + value + "', expected " + expected);
    }
}
