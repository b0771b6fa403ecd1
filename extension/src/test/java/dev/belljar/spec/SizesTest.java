package dev.belljar.spec;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Sizes as users write them, and every way a size can be wrong. */
class SizesTest {

    @Test
    void parsesBytesAndBinarySuffixes() {
        assertThat(Sizes.parse("1048576", "memory")).isEqualTo(1L << 20);
        assertThat(Sizes.parse(" 512K ", "memory")).isEqualTo(512L << 10);
        assertThat(Sizes.parse("1.5M", "memory")).isEqualTo(1536L << 10);
        assertThat(Sizes.parse("64MiB", "memory")).isEqualTo(64L << 20);
        assertThat(Sizes.parse("2 gb", "memory")).isEqualTo(2L << 30);
        assertThat(Sizes.parse("1T", "memory")).isEqualTo(1L << 40);
        assertThat(Sizes.parse("0", "swap", true)).isZero();
    }

    /** {@code "1.5"} was once 2 bytes: a sandbox started and was OOM-killed at once. */
    @Test
    void aSizeWithoutAUnitIsAWholeNumberOfBytes() {
        assertThatThrownBy(() -> Sizes.parse("1.5", "memory")).isInstanceOf(SpecException.class)
                .hasMessage("memory = \"1.5\" is not a size: a size without a unit is a whole number of bytes;"
                        + " use e.g. 1536K, 1.5M or 64M");
        assertThatThrownBy(() -> Sizes.parse("0.5", "swap", true))
                .hasMessage("swap = \"0.5\" is not a size: a size without a unit is a whole number of bytes;"
                        + " use e.g. 1536K, 1.5M or 64M");
        assertThatThrownBy(() -> Sizes.parse("1.5B", "memory"))
                .hasMessage("memory = \"1.5B\" is not a size: a size without a unit is a whole number of bytes;"
                        + " use e.g. 1536K, 1.5M or 64M");
    }

    @Test
    void negativeAndZeroAreOutOfRange() {
        assertThatThrownBy(() -> Sizes.parse("-64M", "memory"))
                .hasMessage("memory = \"-64M\" is out of range: use a positive size, e.g. 64M");
        assertThatThrownBy(() -> Sizes.parse("-1", "swap", true))
                .hasMessage("swap = \"-1\" is out of range: use a size of 0 or more, e.g. 64M");
        assertThatThrownBy(() -> Sizes.parse("0K", "memory"))
                .hasMessage("memory = \"0K\" is out of range: use a positive size, e.g. 64M");
    }

    @Test
    void hugeNumbersDoNotOverflow() {
        assertThatThrownBy(() -> Sizes.parse("99999999999999G", "memory"))
                .hasMessage("memory = \"99999999999999G\" is too large: a size is at most 8388607T (8 EiB)");
        assertThatThrownBy(() -> Sizes.parse("99999999999999999999", "memory"))
                .hasMessage("memory = \"99999999999999999999\" is too large: a size is at most 8388607T (8 EiB)");
        assertThat(Sizes.parse("8388607T", "memory")).isEqualTo(8388607L << 40);
    }

    @Test
    void blankAndOtherTextIsNoSize() {
        for (String bad : new String[] {"", " ", "64Q", "M", "1,5M", ".5M", "+64M", "1e6"}) {
            assertThatThrownBy(() -> Sizes.parse(bad, "memory")).as(bad).hasMessage("memory = \"" + bad
                    + "\" is not a size: use bytes or a number with a binary suffix K, M, G or T, e.g. 64M, 1.5G, 512K");
        }
    }
}
