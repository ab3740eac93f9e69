package io.github.smtproutes.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.apache.james.mailrepository.api.MailKey;
import org.junit.jupiter.api.Test;

/**
 * The key scheme: due time, route tag and wait class readable from the name alone, names sorting
 * by due time, successor names derived rather than drawn, and the older forms still read.
 */
class RetryKeyTest {
    static final Instant DUE = Instant.parse("2024-05-01T10:00:00.123Z");

    @Test
    void aKeyCarriesItsDueTimeRouteTagAndWaitClass() {
        RetryKey key = RetryKey.next("Mail-1", "mid", 1, DUE, "Example.COM", true, "a@example.com");

        RetryKey parsed = RetryKey.parse(key.name()).orElseThrow();
        assertThat(parsed.due()).isEqualTo(DUE);
        assertThat(parsed.routeTag()).contains(RetryKey.routeTag("example.com"));
        assertThat(parsed.waitsForHost()).isTrue();
        assertThat(key.name()).matches("smtproutes-1714557600123-[0-9a-f]{8}-h-[0-9a-f]{32}");
        assertThat(RetryKey.next("Mail-1", "mid", 1, DUE, "example.com", false, "a@example.com").name())
            .matches("smtproutes-1714557600123-[0-9a-f]{8}-r-[0-9a-f]{32}");
    }

    @Test
    void theSameRetryAlwaysGetsTheSameSuccessorAndAnyDifferenceANewOne() {
        RetryKey key = RetryKey.next("smtproutes-old", "mid", 2, DUE, "example.com", false, "a@example.com");

        assertThat(RetryKey.next("smtproutes-old", "mid", 2, DUE, "example.com", false, "a@example.com")).isEqualTo(key);
        assertThat(RetryKey.next("smtproutes-old", "mid", 3, DUE, "example.com", false, "a@example.com")).isNotEqualTo(key);
        assertThat(RetryKey.next("smtproutes-other", "mid", 2, DUE, "example.com", false, "a@example.com")).isNotEqualTo(key);
        assertThat(RetryKey.next("smtproutes-old", "mid", 2, DUE, "example.com", true, "a@example.com")).isNotEqualTo(key);
        assertThat(RetryKey.next("smtproutes-old", "mid", 2, DUE, "example.com", false, "b@example.com")).isNotEqualTo(key);
    }

    @Test
    void dueTimesAreRoundedUpToTheSecond() {
        assertThat(RetryKey.roundedUp(DUE)).isEqualTo(Instant.parse("2024-05-01T10:00:01Z"));
        assertThat(RetryKey.roundedUp(Instant.parse("2024-05-01T10:00:00Z"))).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
    }

    @Test
    void theOlderFormsStillParseAsWaitingForTheMail() {
        RetryKey untagged = RetryKey.parse("smtproutes-1714557600123-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10").orElseThrow();
        RetryKey tagged = RetryKey.parse("smtproutes-1714557600123-a1b2c3d4-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10").orElseThrow();

        assertThat(untagged.due()).isEqualTo(DUE);
        assertThat(untagged.routeTag()).isEmpty();
        assertThat(untagged.waitsForHost()).isFalse();
        assertThat(tagged.routeTag()).contains("a1b2c3d4");
        assertThat(tagged.waitsForHost()).isFalse();
        assertThat(RetryKey.routeTagOf(tagged.name())).contains("a1b2c3d4");
        assertThat(RetryKey.waitsForHost(tagged.name())).isFalse();
    }

    @Test
    void aForeignNameIsDueAtOnce() {
        assertThat(RetryKey.parse("Mail1714557600123-42")).isEmpty();
        assertThat(RetryKey.dueOf(new MailKey("Mail1714557600123-42"))).isEqualTo(Instant.EPOCH);
        assertThat(RetryKey.waitsForHost("Mail1714557600123-42")).isFalse();
    }

    @Test
    void namesSortByDueTime() {
        RetryKey earlier = RetryKey.next("x", "mid", 1, Instant.ofEpochMilli(999), "b.test", true, "");
        RetryKey later = RetryKey.next("x", "mid", 1, Instant.ofEpochMilli(1000), "a.test", false, "");

        assertThat(earlier.compareTo(later)).isNegative();
    }

    @Test
    void routeTagsDifferBetweenRoutesAndIgnoreCase() {
        assertThat(RetryKey.routeTag("a.example.com")).isNotEqualTo(RetryKey.routeTag("b.example.com"));
        assertThat(RetryKey.routeTag("ALL")).isEqualTo(RetryKey.routeTag("all"));
    }

    @Test
    void theFastReadersATickUsesAgreeWithParse() {
        RetryKey host = RetryKey.next("x", "mid", 1, DUE, "example.com", true, "a@example.com");
        RetryKey own = RetryKey.next("x", "mid", 1, DUE, "example.com", false, "a@example.com");

        assertThat(RetryKey.dueMillisOf(host.name())).isEqualTo(DUE.toEpochMilli());
        assertThat(RetryKey.routeTagOf(host.name())).isEqualTo(host.routeTag());
        assertThat(RetryKey.waitsForHost(host.name())).isTrue();
        assertThat(RetryKey.waitsForHost(own.name())).isFalse();
        assertThat(RetryKey.routeTagOf("smtproutes-1714557600123-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10")).isEmpty();
        assertThat(RetryKey.dueMillisOf("smtproutes-12345")).isZero();
        assertThat(RetryKey.dueMillisOf("smtproutes-17145576001x3-0b7c1f5e-3c1d-4a43-9b9e-5a4c1e2d7f10")).isZero();
    }
}
