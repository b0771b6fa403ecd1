package dev.belljar.linux.cgroup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CgroupLimitsTest {

    @Test
    void noneLeavesEveryLimitUnset() {
        CgroupLimits limits = CgroupLimits.none().withMemoryBytes(1);

        assertThat(limits.memoryBytes()).hasValue(1);
        assertThat(limits.swapBytes()).isEmpty();
        assertThat(limits.cpuQuotaMicros()).isEmpty();
        assertThat(limits.cpuPeriodMicros()).isEmpty();
        assertThat(limits.pidsMax()).isEmpty();
        assertThat(limits.memoryHighBytes()).isEmpty();
        assertThat(limits.cpuWeight()).isEmpty();
        assertThat(limits.cpusetCpus()).isEmpty();
        assertThat(limits.ioLimits()).isEmpty();
    }

    @Test
    void withMethodsKeepTheOtherLimits() {
        CgroupLimits limits = CgroupLimits.none().withMemoryBytes(64 << 20).withMemoryHighBytes(48 << 20)
                .withCpuWeight(300).withCpusetCpus("3,0,1").withIoLimit(IoLimit.of("8:0").withWriteBps(1 << 20))
                .withPidsMax(5);

        assertThat(limits.memoryBytes()).hasValue(64 << 20);
        assertThat(limits.memoryHighBytes()).hasValue(48 << 20);
        assertThat(limits.cpuWeight()).hasValue(300);
        assertThat(limits.cpusetCpus()).as("the kernel's normal form").hasValue("0-1,3");
        assertThat(limits.ioLimits()).containsExactly(new IoLimit("8:0", OptionalLong.empty(), OptionalLong.of(1 << 20),
                OptionalLong.empty(), OptionalLong.empty()));
        assertThat(limits.pidsMax()).hasValue(5);
    }

    @Test
    void aLaterIoLimitForTheSameDeviceReplacesTheEarlier() {
        CgroupLimits limits = CgroupLimits.none().withIoLimit(IoLimit.of("8:0").withReadBps(1))
                .withIoLimit(IoLimit.of("8:0").withWriteIops(7));

        assertThat(limits.ioLimits()).containsExactly(IoLimit.of("8:0").withWriteIops(7));
        assertThatThrownBy(() -> new CgroupLimits(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                List.of(IoLimit.of("8:0").withReadBps(1), IoLimit.of("8:0").withWriteBps(1))))
                .hasMessageContaining("two io limits for device 8:0");
    }

    @Test
    void cpuWeightIsOneToTenThousand() {
        assertThat(CgroupLimits.none().withCpuWeight(1).cpuWeight()).hasValue(1);
        assertThat(CgroupLimits.none().withCpuWeight(10_000).cpuWeight()).hasValue(10_000);
        assertThatThrownBy(() -> CgroupLimits.none().withCpuWeight(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cpuWeight 0 is out of range: cgroup cpu.weight takes 1..10000, 100 being the default share");
        assertThatThrownBy(() -> CgroupLimits.none().withCpuWeight(10_001)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void cpuSharesOnV1AreWeightTimes1024Over100() {
        assertThat(CgroupLimits.cpuShares(100)).isEqualTo(1024);
        assertThat(CgroupLimits.cpuShares(300)).isEqualTo(3072);
        assertThat(CgroupLimits.cpuShares(1)).isEqualTo(10);
        assertThat(CgroupLimits.cpuShares(10_000)).isEqualTo(102_400);
    }

    @Test
    void cpuListsAreValidatedAndNormalized() {
        assertThat(CpuList.normalize("0")).isEqualTo("0");
        assertThat(CpuList.normalize("1,0")).isEqualTo("0-1");
        assertThat(CpuList.normalize("0-1,3")).isEqualTo("0-1,3");
        assertThat(CpuList.normalize("5,2-3,4,0")).isEqualTo("0,2-5");
        assertThat(CpuList.outside("0-3", "0-1")).isEqualTo("2-3");
        assertThat(CpuList.outside("1", "0-1")).isEmpty();
        assertThat(CpuList.count("0-1,3")).isEqualTo(3);
        assertThat(CpuList.count("5,2-3,4,0")).isEqualTo(5);
        assertThatThrownBy(() -> CgroupLimits.none().withCpusetCpus("0-"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cpusetCpus '0-' has the invalid item '0-'");
        assertThatThrownBy(() -> CgroupLimits.none().withCpusetCpus("3-1")).hasMessageContaining("invalid range '3-1'");
        assertThatThrownBy(() -> CgroupLimits.none().withCpusetCpus("")).hasMessageContaining("is empty");
        assertThatThrownBy(() -> CgroupLimits.none().withCpusetCpus("a")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ioLimitsNeedADeviceNumberAndPositiveValues() {
        assertThatThrownBy(() -> IoLimit.of("/dev/sda")).hasMessageContaining("must be MAJ:MIN");
        assertThatThrownBy(() -> IoLimit.of("8:0").withWriteBps(0)).hasMessageContaining("writeBps 0 must be positive");
        assertThat(IoLimit.of("8:0").isEmpty()).isTrue();
        assertThat(IoLimit.of("8:0").withReadIops(3).isEmpty()).isFalse();
    }

    @Test
    void deviceNumbersAreDecodedAsGlibcDoes() {
        assertThat(BlockDevices.format(0x0801)).isEqualTo("8:1");
        assertThat(BlockDevices.format(0xfe00)).isEqualTo("254:0");
        // makedev(259, 300): minor bits above 8 go to bits 20+, major bits above 12 to bits 44+.
        long dev = ((259L & 0xfff) << 8) | ((300L & 0xff)) | ((300L & ~0xffL) << 12);
        assertThat(BlockDevices.format(dev)).isEqualTo("259:300");
        long big = ((4097L & 0xfff) << 8) | ((4097L & ~0xfffL) << 32) | 5;
        assertThat(BlockDevices.format(big)).isEqualTo("4097:5");
    }
}
