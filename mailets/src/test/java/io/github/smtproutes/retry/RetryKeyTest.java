package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.apache.james.mailrepository.api.MailKey;
import org.junit.jupiter.api.Test;

/** The key scheme: due time and route tag readable from the name alone, names sorting by due time. */
class RetryKeyTest {
    static final Instant DUE = Instant.parse("2024-05-01T10:00:00.123Z");

    @Test
    void aKeyCarriesItsDueTimeAndRouteTag() {
        RetryKey key = RetryKey.dueAt(DUE, "Example.COM");

        RetryKey parsed = RetryKey.parse(key.name()).orElseThrow();
        assertThat(parsed.due()).isEqualTo(DUE);
        assertThat(parsed.routeTag()).contains(RetryKey.routeTag("example.com"));
        assertThat(key.name()).matches("smtproutes-1714557600123-[0-9a-f]{8}-[0-9a-f-]{36}");
    }

    @Test
    void theOlderFormWithoutARouteTagStillParses() {
        RetryKey parsed = RetryKey.parse("smtproutes-1714557600123-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10").orElseThrow();

        assertThat(parsed.due()).isEqualTo(DUE);
        assertThat(parsed.routeTag()).isEmpty();
    }

    @Test
    void aForeignNameIsDueAtOnce() {
        assertThat(RetryKey.parse("Mail1714557600123-42")).isEmpty();
        assertThat(RetryKey.dueOf(new MailKey("Mail1714557600123-42"))).isEqualTo(Instant.EPOCH);
    }

    @Test
    void namesSortByDueTime() {
        RetryKey earlier = RetryKey.dueAt(Instant.ofEpochMilli(999), "b.test");
        RetryKey later = RetryKey.dueAt(Instant.ofEpochMilli(1000), "a.test");

        assertThat(earlier.compareTo(later)).isNegative();
    }

    @Test
    void aRescheduledKeyKeepsItsRouteTagAndGetsANewName() {
        RetryKey key = RetryKey.dueAt(DUE, "example.com");
        RetryKey moved = key.rescheduledTo(DUE.plusSeconds(60));

        assertThat(moved.due()).isEqualTo(DUE.plusSeconds(60));
        assertThat(moved.routeTag()).isEqualTo(key.routeTag());
        assertThat(moved.name()).isNotEqualTo(key.name());
        assertThat(RetryKey.parse(moved.name())).contains(moved);
    }

    @Test
    void routeTagsDifferBetweenRoutesAndIgnoreCase() {
        assertThat(RetryKey.routeTag("a.example.com")).isNotEqualTo(RetryKey.routeTag("b.example.com"));
        assertThat(RetryKey.routeTag("ALL")).isEqualTo(RetryKey.routeTag("all"));
    }

    @Test
    void theFastReadersATickUsesAgreeWithParse() {
        RetryKey tagged = RetryKey.dueAt(DUE, "example.com");
        RetryKey untagged = RetryKey.dueAt(DUE);

        assertThat(RetryKey.dueMillisOf(tagged.name())).isEqualTo(DUE.toEpochMilli());
        assertThat(RetryKey.dueMillisOf(untagged.name())).isEqualTo(DUE.toEpochMilli());
        assertThat(RetryKey.routeTagOf(tagged.name())).isEqualTo(tagged.routeTag());
        assertThat(RetryKey.routeTagOf(untagged.name())).isEmpty();
        assertThat(RetryKey.dueMillisOf("smtproutes-12345")).isZero();
        assertThat(RetryKey.dueMillisOf("smtproutes-17145576001x3-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10")).isZero();
    }
}
