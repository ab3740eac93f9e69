package io.github.smtproutes.retry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mailrepository.api.MailKey;

/**
 * The name under which a waiting mail is stored in the retry repository. It carries the mail's
 * due time and a short tag of its route, so that a scheduler tick finds due mails, and a route
 * flush finds a route's mails, from {@code list()} alone, without retrieving any mail:
 * {@code smtproutes-<due epoch millis, 13 digits>-<route tag, 8 hex>-<uuid>}. Keys sort by due
 * time as text. The older form without a route tag still parses (no tag); a key of neither form
 * (a mail put there by hand) is treated as due now.
 */
public final class RetryKey implements Comparable<RetryKey> {
    private static final String PREFIX = "smtproutes-";
    private static final Pattern FORM = Pattern.compile("^smtproutes-(\\d{13})-(?:([0-9a-f]{8})-)?([0-9a-f-]{36})$");

    private final Instant due;
    private final Optional<String> routeTag;
    private final String name;

    private RetryKey(Instant due, Optional<String> routeTag, String name) {
        this.due = due;
        this.routeTag = routeTag;
        this.name = name;
    }

    /** A new key due at {@code due}, without a route tag. */
    public static RetryKey dueAt(Instant due) {
        return new RetryKey(due, Optional.empty(), PREFIX + millis(due) + "-" + UUID.randomUUID());
    }

    /** A new key due at {@code due} for a mail of the route of {@code routeDomain}. */
    public static RetryKey dueAt(Instant due, String routeDomain) {
        String tag = routeTag(routeDomain);
        return new RetryKey(due, Optional.of(tag), PREFIX + millis(due) + "-" + tag + "-" + UUID.randomUUID());
    }

    public static Optional<RetryKey> parse(String name) {
        Matcher matcher = FORM.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RetryKey(Instant.ofEpochMilli(Long.parseLong(matcher.group(1))),
            Optional.ofNullable(matcher.group(2)), name));
    }

    /**
     * The due time of any stored mail: from its key, or the epoch (due now) for foreign names.
     * Reads the digits directly, without a regular expression: a tick calls it for every
     * waiting mail.
     */
    public static Instant dueOf(MailKey key) {
        return Instant.ofEpochMilli(dueMillisOf(key.asString()));
    }

    /** The route tag in {@code name}, read by position; empty for untagged or foreign names. */
    static Optional<String> routeTagOf(String name) {
        int tagStart = PREFIX.length() + 14;
        if (name.length() != tagStart + 9 + 36 || dueMillisOf(name) == 0 || name.charAt(tagStart + 8) != '-') {
            return Optional.empty();
        }
        return Optional.of(name.substring(tagStart, tagStart + 8));
    }

    /** The due epoch millis in {@code name}, or 0 when it is not a retry key. */
    static long dueMillisOf(String name) {
        int digitsEnd = PREFIX.length() + 13;
        if (name.length() < digitsEnd + 37 || !name.startsWith(PREFIX) || name.charAt(digitsEnd) != '-') {
            return 0;
        }
        long millis = 0;
        for (int i = PREFIX.length(); i < digitsEnd; i++) {
            char digit = name.charAt(i);
            if (digit < '0' || digit > '9') {
                return 0;
            }
            millis = millis * 10 + (digit - '0');
        }
        return millis;
    }

    /**
     * The 8-hex-digit tag of a route domain in keys: short enough for any file name, and a
     * collision only makes a flush retry another route's mail early, which is harmless.
     */
    public static String routeTag(String routeDomain) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest(routeDomain.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return String.format("%02x%02x%02x%02x", digest[0], digest[1], digest[2], digest[3]);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private static String millis(Instant due) {
        return String.format("%013d", Math.max(0, due.toEpochMilli()));
    }

    public Instant due() {
        return due;
    }

    public Optional<String> routeTag() {
        return routeTag;
    }

    /** The same route tag, due at another time: what a reschedule stores. */
    public RetryKey rescheduledTo(Instant newDue) {
        String tail = routeTag.map(tag -> tag + "-").orElse("") + UUID.randomUUID();
        return new RetryKey(newDue, routeTag, PREFIX + millis(newDue) + "-" + tail);
    }

    public String name() {
        return name;
    }

    public MailKey mailKey() {
        return new MailKey(name);
    }

    @Override
    public int compareTo(RetryKey other) {
        return name.compareTo(other.name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RetryKey && ((RetryKey) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name);
    }

    @Override
    public String toString() {
        return name;
    }
}
