package dev.belljar.linux.cgroup;

import org.junit.jupiter.api.Test;

import java.util.Optional;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What happened in a cgroup between two readings, for tests that share one. */
class CgroupStatsTest {

    @Test
    void countersIncreaseSinceTheEarlierReadingWhileLevelsAndPeaksAreAsNow() {
        CgroupStats earlier = new CgroupStats(30, OptionalLong.of(90), 1, 1_000, 600, 400, 10, 2, 50,
                12, OptionalLong.of(20), OptionalLong.of(4096), OptionalLong.empty(),
                Optional.of(new Pressure(100, OptionalLong.of(40))), Optional.empty(), Optional.empty());
        CgroupStats now = new CgroupStats(35, OptionalLong.of(95), 1, 1_700, 1_000, 700, 17, 5, 80,
                14, OptionalLong.of(22), OptionalLong.of(8192), OptionalLong.of(512),
                Optional.of(new Pressure(150, OptionalLong.of(55))), Optional.empty(), Optional.empty());

        assertThat(now.since(earlier)).isEqualTo(new CgroupStats(35, OptionalLong.of(95), 0, 700, 400, 300, 7, 3, 30,
                14, OptionalLong.of(22), OptionalLong.of(4096), OptionalLong.of(512),
                Optional.of(new Pressure(50, OptionalLong.of(15))), Optional.empty(), Optional.empty()));
    }

    @Test
    void usageIsTheSampledFiguresOfTheSameReading() {
        CgroupStats stats = new CgroupStats(35, OptionalLong.of(95), 2, 1_700, 1_000, 700, 17, 5, 80,
                14, OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), Optional.empty(), Optional.empty());

        assertThat(stats.usage()).isEqualTo(new CgroupUsage(35, 1_700, 2, 80));
    }
}
