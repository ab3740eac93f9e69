package io.github.smtproutes.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Checks that durations are read only with a unit and written back in their shortest exact form. */
class DurationsTest {

    @Test
    void parsesEveryUnit() {
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("60s")).isEqualTo(Duration.ofSeconds(60));
        assertThat(Durations.parse("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("3d")).isEqualTo(Duration.ofDays(3));
    }

    @Test
    void ignoresSurroundingWhitespace() {
        assertThat(Durations.parse("  72h ")).isEqualTo(Duration.ofHours(72));
    }

    @Test
    void refusesBareNumberAndSuggestsUnits() {
        assertThatThrownBy(() -> Durations.parse("60"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("duration '60' has no unit: write e.g. '60s' or '60m' (units: ms, s, m, h, d)");
    }

    @Test
    void refusesZero() {
        assertThatThrownBy(() -> Durations.parse("0s"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("duration '0s' must be positive");
    }

    @Test
    void refusesUppercaseUnitWithHint() {
        assertThatThrownBy(() -> Durations.parse("60S"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("invalid duration '60S': unknown unit 'S' (units are lowercase)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "abc", "s", "-5s", "+5s", "1.5h", "5 m", "5x", "5sec", "1h30m"})
    void refusesMalformedText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("invalid duration '" + text + "'")
            .hasMessageContaining("expected a positive whole number followed by ms, s, m, h or d");
    }

    @ParameterizedTest
    @ValueSource(strings = {"99999999999999999999s", "9223372036854775807d"})
    void refusesOverflow(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("duration '" + text + "' is too large");
    }

    @ParameterizedTest
    @CsvSource({
        "PT1M30S, 90s",
        "PT1H, 1h",
        "PT1.5S, 1500ms",
        "PT0.25S, 250ms",
        "PT2M, 2m",
        "PT3600S, 1h",
        "PT24H, 1d",
        "PT72H, 3d",
        "PT36H, 36h",
        "PT0S, 0s"})
    void formatsInShortestExactForm(String iso, String expected) {
        assertThat(Durations.format(Duration.parse(iso))).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"250ms", "90s", "5m", "36h", "3d", "1500ms", "100000d"})
    void formatReadsBackExactly(String text) {
        Duration duration = Durations.parse(text);
        assertThat(Durations.parse(Durations.format(duration))).isEqualTo(duration);
    }

    @Test
    void formatRefusesNegativeAndSubMillisecondDurations() {
        assertThatThrownBy(() -> Durations.format(Duration.ofSeconds(-1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("negative");
        assertThatThrownBy(() -> Durations.format(Duration.ofNanos(1_500_000)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("not a whole number of milliseconds");
    }
}
