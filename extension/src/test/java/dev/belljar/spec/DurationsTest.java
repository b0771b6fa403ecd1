package dev.belljar.spec;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DurationsTest {

    @Test
    void parsesEveryUnitAndFractions() {
        assertThat(Durations.parse("250ns", "t")).isEqualTo(Duration.ofNanos(250));
        assertThat(Durations.parse("3us", "t")).isEqualTo(Duration.ofNanos(3_000));
        assertThat(Durations.parse("500ms", "t")).isEqualTo(Duration.ofMillis(500));
        assertThat(Durations.parse(" 1.5s ", "t")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("2m", "t")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("1H", "t")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("30 d", "t")).isEqualTo(Duration.ofDays(30));
    }

    @Test
    void rejectsWhatHasNoUnitOrIsTooLong() {
        assertThatThrownBy(() -> Durations.parse("30", "timeout")).hasMessage("timeout = \"30\" is not a duration:"
                + " use a number with a unit ns, us, ms, s, m, h or d, e.g. 500ms, 30s, 2m");
        assertThatThrownBy(() -> Durations.parse("-1s", "timeout")).hasMessage("timeout = \"-1s\" is out of range:"
                + " a duration is not negative; use e.g. 500ms, 30s, 2m");
        assertThatThrownBy(() -> Durations.parse(" ", "timeout")).hasMessage("timeout = \" \" is not a duration:"
                + " use a number with a unit ns, us, ms, s, m, h or d, e.g. 500ms, 30s, 2m");
        assertThatThrownBy(() -> Durations.parse("300000d", "timeout"))
                .hasMessage("timeout = \"300000d\" is too long: at most 292 years");
    }

    @Test
    void formatsInTheLargestWholeUnit() {
        assertThat(Durations.format(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("90m");
        assertThat(Durations.format(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Durations.format(Duration.ofNanos(1_001))).isEqualTo("1001ns");
        assertThat(Durations.format(Duration.ZERO)).isEqualTo("0d");
    }

    @Test
    void describesForPeople() {
        assertThat(Durations.describe(1_250_000_000L)).isEqualTo("1.25 s");
        assertThat(Durations.describe(340_000_000L)).isEqualTo("340.0 ms");
        assertThat(Durations.describe(1_500L)).isEqualTo("1.5 us");
    }
}
