package io.github.smtproutes.retry;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mailrepository.api.MailKey;

/**
 * The name under which a waiting mail is stored in the retry repository. It carries the mail's
 * due time, a short tag of its route and what the mail waits for, so that a scheduler tick finds
 * due mails, and a flush finds a route's mails that wait for a host, from {@code list()} alone,
 * without retrieving any mail:
 * {@code smtproutes-<due epoch millis, 13 digits>-<route tag, 8 hex>-<h|r>-<id, 32 hex>}, where
 * {@code h} marks a mail waiting for a host (no connection, no greeting, a dropped session, no
 * host admitted) and {@code r} one waiting for a reason of its own (a 4xx to its RCPT or dot).
 * The id is derived from the previous name and the attempt number, never drawn at random: two
 * deliveries of the same waiting mail that race store it under the same name. Keys sort by due
 * time as text. The older forms ({@code <route tag>-<uuid>} and {@code <uuid>} alone) still parse,
 * as waiting for the mail; a key of no form (a mail put there by hand) is treated as due now.
 */
public final class RetryKey implements Comparable<RetryKey> {
    private static final String PREFIX = "smtproutes-";
    private static final Pattern FORM = Pattern.compile(
        "^smtproutes-(\\d{13})-(?:([0-9a-f]{8})-)?(?:([hr])-[0-9a-f]{32}|[0-9a-f-]{36})$");
    /** Where the route tag starts: after the prefix, the 13 digits and a dash. */
    private static final int TAG_START = PREFIX.length() + 14;
    /** Length of the current form: tag, dash, class letter, dash, 32-hex id. */
    private static final int CURRENT_LENGTH = TAG_START + 8 + 1 + 1 + 1 + 32;
    /** Length of the older tagged form: tag, dash, uuid. */
    private static final int TAGGED_UUID_LENGTH = TAG_START + 8 + 1 + 36;

    private final Instant due;
    private final Optional<String> routeTag;
    private final boolean waitsForHost;
    private final String name;

    private RetryKey(Instant due, Optional<String> routeTag, boolean waitsForHost, String name) {
        this.due = due;
        this.routeTag = routeTag;
        this.waitsForHost = waitsForHost;
        this.name = name;
    }

    /**
     * The key a waiting mail is stored under next. Written once for every store of the queue: the
     * id is a digest of where the mail comes from ({@code previousName}: the key it was retried
     * from, or the name James gave it; and its MID), the attempt number, and what tells apart the
     * copies one delivery may store (route, wait class, recipients).
     */
    public static RetryKey next(String previousName, String mid, int attempts, Instant due, String routeDomain, boolean waitsForHost,
                                String recipients) {
        String tag = routeTag(routeDomain);
        String id = hex(sha256(previousName + '\n' + mid + '\n' + attempts + '\n' + routeDomain.toLowerCase(Locale.ROOT) + '\n'
            + waitsForHost + '\n' + recipients), 16);
        return new RetryKey(due, Optional.of(tag), waitsForHost,
            PREFIX + millis(due) + "-" + tag + "-" + (waitsForHost ? 'h' : 'r') + "-" + id);
    }

    /**
     * The due time a key is written with: {@code due} rounded up to the whole second, so that two
     * deliveries racing on one waiting mail a few milliseconds apart still agree on its name.
     */
    public static Instant roundedUp(Instant due) {
        Instant second = due.truncatedTo(ChronoUnit.SECONDS);
        return second.equals(due) ? due : second.plusSeconds(1);
    }

    public static Optional<RetryKey> parse(String name) {
        Matcher matcher = FORM.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RetryKey(Instant.ofEpochMilli(Long.parseLong(matcher.group(1))),
            Optional.ofNullable(matcher.group(2)), "h".equals(matcher.group(3)), name));
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
        boolean tagged = name.length() == CURRENT_LENGTH || name.length() == TAGGED_UUID_LENGTH;
        if (!tagged || dueMillisOf(name) == 0 || name.charAt(TAG_START + 8) != '-') {
            return Optional.empty();
        }
        return Optional.of(name.substring(TAG_START, TAG_START + 8));
    }

    /** Whether {@code name}, read by position, is a key of a mail waiting for a host. */
    static boolean waitsForHost(String name) {
        return name.length() == CURRENT_LENGTH && name.charAt(TAG_START + 9) == 'h' && name.charAt(TAG_START + 10) == '-'
            && dueMillisOf(name) != 0;
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
        return hex(sha256(routeDomain.toLowerCase(Locale.ROOT)), 4);
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java runtime", e);
        }
    }

    private static String hex(byte[] bytes, int count) {
        StringBuilder hex = new StringBuilder(count * 2);
        for (int i = 0; i < count; i++) {
            hex.append(String.format("%02x", bytes[i]));
        }
        return hex.toString();
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

    /** Whether the mail waits for a host (a flush may bring it forward); false for older forms. */
    public boolean waitsForHost() {
        return waitsForHost;
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
