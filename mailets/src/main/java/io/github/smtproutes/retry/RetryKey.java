package io.github.smtproutes.retry;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.james.mailrepository.api.MailKey;

/**
 * The name under which a waiting mail is stored in the retry repository. It carries the mail's
 * due time, so that a scheduler tick finds due mails from {@code list()} alone, without
 * retrieving any mail: {@code smtproutes-<due epoch millis, 13 digits>-<uuid>}. Keys sort by due
 * time as text. A key not of this form (a mail put there by hand) is treated as due now.
 */
public final class RetryKey implements Comparable<RetryKey> {
    private static final String PREFIX = "smtproutes-";
    private static final Pattern FORM = Pattern.compile("^smtproutes-(\\d{13})-([0-9a-f-]{36})$");

    private final Instant due;
    private final String name;

    private RetryKey(Instant due, String name) {
        this.due = due;
        this.name = name;
    }

    public static RetryKey dueAt(Instant due) {
        return new RetryKey(due, PREFIX + String.format("%013d", Math.max(0, due.toEpochMilli())) + "-" + UUID.randomUUID());
    }

    public static Optional<RetryKey> parse(String name) {
        Matcher matcher = FORM.matcher(name);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RetryKey(Instant.ofEpochMilli(Long.parseLong(matcher.group(1))), name));
    }

    /** The due time of any stored mail: from its key, or "now" (epoch) for foreign names. */
    public static Instant dueOf(MailKey key) {
        return parse(key.asString()).map(RetryKey::due).orElse(Instant.EPOCH);
    }

    public Instant due() {
        return due;
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
