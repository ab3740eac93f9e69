package io.github.smtproutes.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;

import io.github.smtproutes.routes.Durations;

/**
 * The James-wide settings of recipient verification (call-ahead), read from the optional
 * {@code <callAhead>} element of the {@code InboundRouteRcptHook} handler in
 * {@code smtpserver.xml}. Which routes verify, and what a failed verification answers, are route
 * attributes ({@code verifyRecipients}, {@code onVerifyFailure}); these settings are about the
 * shared cache and the sessions:
 * <ul>
 *   <li>{@code timeout} (default {@value #DEFAULT_TIMEOUT_TEXT}): the longest a RCPT waits for its
 *   verification, every host included; past it {@code onVerifyFailure} answers;</li>
 *   <li>{@code positiveTtl} (default {@value #DEFAULT_POSITIVE_TTL_TEXT}) and {@code negativeTtl}
 *   (default {@value #DEFAULT_NEGATIVE_TTL_TEXT}): how long an accepted, and a refused, address
 *   is remembered;</li>
 *   <li>{@code cacheSize} (default {@value #DEFAULT_CACHE_SIZE}): how many addresses each of the
 *   two caches holds at most;</li>
 *   <li>{@code maxConnectionsPerHost} (default {@value #DEFAULT_MAX_PER_HOST}): call-ahead sessions
 *   open at once with one destination host;</li>
 *   <li>{@code heloName} (default: James's host name): the name given in EHLO.</li>
 * </ul>
 */
public final class CallAheadSettings {
    public static final String ELEMENT = "callAhead";
    static final String DEFAULT_TIMEOUT_TEXT = "10s";
    static final String DEFAULT_POSITIVE_TTL_TEXT = "1h";
    static final String DEFAULT_NEGATIVE_TTL_TEXT = "10m";
    static final int DEFAULT_CACHE_SIZE = 10_000;
    static final int DEFAULT_MAX_PER_HOST = 5;
    private static final List<String> NAMES = List.of("timeout", "positiveTtl", "negativeTtl", "cacheSize",
        "maxConnectionsPerHost", "heloName");
    private static final int MAX_CACHE_SIZE = 10_000_000;
    private static final int MAX_PER_HOST_LIMIT = 1_000;

    /** Every default; the EHLO name is James's host name. */
    public static final CallAheadSettings DEFAULT = new CallAheadSettings(Durations.parse(DEFAULT_TIMEOUT_TEXT),
        Durations.parse(DEFAULT_POSITIVE_TTL_TEXT), Durations.parse(DEFAULT_NEGATIVE_TTL_TEXT), DEFAULT_CACHE_SIZE,
        DEFAULT_MAX_PER_HOST, Optional.empty());

    private final Duration timeout;
    private final Duration positiveTtl;
    private final Duration negativeTtl;
    private final int cacheSize;
    private final int maxConnectionsPerHost;
    private final Optional<String> heloName;

    public CallAheadSettings(Duration timeout, Duration positiveTtl, Duration negativeTtl, int cacheSize,
            int maxConnectionsPerHost, Optional<String> heloName) {
        this.timeout = Objects.requireNonNull(timeout);
        this.positiveTtl = Objects.requireNonNull(positiveTtl);
        this.negativeTtl = Objects.requireNonNull(negativeTtl);
        this.cacheSize = cacheSize;
        this.maxConnectionsPerHost = maxConnectionsPerHost;
        this.heloName = Objects.requireNonNull(heloName);
    }

    /**
     * The settings of a hook's {@code <callAhead>} element; empty when the hook has none.
     *
     * @throws ConfigurationException naming the hook and the bad setting
     */
    public static Optional<CallAheadSettings> read(Configuration hook, String hookName) throws ConfigurationException {
        List<String> given = new ArrayList<>();
        for (Iterator<String> keys = hook.getKeys(ELEMENT); keys.hasNext(); ) {
            given.add(keys.next().substring(ELEMENT.length() + 1));
        }
        if (given.isEmpty()) {
            return Optional.empty();
        }
        Reader reader = new Reader(hook, hookName);
        for (String name : given) {
            if (!NAMES.contains(name)) {
                throw reader.problem(name, "unknown setting (allowed: " + String.join(", ", NAMES) + ")");
            }
        }
        return Optional.of(new CallAheadSettings(
            reader.duration("timeout", DEFAULT.timeout),
            reader.duration("positiveTtl", DEFAULT.positiveTtl),
            reader.duration("negativeTtl", DEFAULT.negativeTtl),
            reader.integer("cacheSize", DEFAULT_CACHE_SIZE, 1, MAX_CACHE_SIZE),
            reader.integer("maxConnectionsPerHost", DEFAULT_MAX_PER_HOST, 1, MAX_PER_HOST_LIMIT),
            reader.string("heloName")));
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration positiveTtl() {
        return positiveTtl;
    }

    public Duration negativeTtl() {
        return negativeTtl;
    }

    public int cacheSize() {
        return cacheSize;
    }

    public int maxConnectionsPerHost() {
        return maxConnectionsPerHost;
    }

    public Optional<String> heloName() {
        return heloName;
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof CallAheadSettings)) {
            return false;
        }
        CallAheadSettings that = (CallAheadSettings) other;
        return timeout.equals(that.timeout) && positiveTtl.equals(that.positiveTtl) && negativeTtl.equals(that.negativeTtl)
            && cacheSize == that.cacheSize && maxConnectionsPerHost == that.maxConnectionsPerHost && heloName.equals(that.heloName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timeout, positiveTtl, negativeTtl, cacheSize, maxConnectionsPerHost, heloName);
    }

    @Override
    public String toString() {
        return "timeout=" + Durations.format(timeout) + " positiveTtl=" + Durations.format(positiveTtl)
            + " negativeTtl=" + Durations.format(negativeTtl) + " cacheSize=" + cacheSize
            + " maxConnectionsPerHost=" + maxConnectionsPerHost + heloName.map(name -> " heloName=" + name).orElse("");
    }

    /** Reads one hook's {@code <callAhead>} children, each problem naming the hook and the setting. */
    private static final class Reader {
        private final Configuration hook;
        private final String hookName;

        Reader(Configuration hook, String hookName) {
            this.hook = hook;
            this.hookName = hookName;
        }

        Optional<String> string(String name) {
            return Optional.ofNullable(hook.getString(ELEMENT + "." + name, null)).map(String::trim).filter(value -> !value.isEmpty());
        }

        Duration duration(String name, Duration defaultValue) throws ConfigurationException {
            Optional<String> value = string(name);
            if (value.isEmpty()) {
                return defaultValue;
            }
            try {
                return Durations.parse(value.get());
            } catch (IllegalArgumentException e) {
                throw problem(name, e.getMessage());
            }
        }

        int integer(String name, int defaultValue, int min, int max) throws ConfigurationException {
            Optional<String> value = string(name);
            if (value.isEmpty()) {
                return defaultValue;
            }
            try {
                int parsed = Integer.parseInt(value.get());
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw problem(name, "'" + value.get() + "' is not a whole number from " + min + " to " + max);
        }

        ConfigurationException problem(String name, String message) {
            return new ConfigurationException(hookName + ": <" + ELEMENT + "><" + name + ">: " + message);
        }
    }
}
