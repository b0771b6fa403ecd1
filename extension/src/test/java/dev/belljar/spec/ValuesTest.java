package dev.belljar.spec;

import dev.belljar.Net;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shared value formats: one parser each, one wording of their errors. */
class ValuesTest {

    @Test
    void booleansTakeYamlsWordsInAnyCase() {
        assertThat(Values.bool(" TRUE ", "k")).isTrue();
        assertThat(Values.bool("yes", "k")).isTrue();
        assertThat(Values.bool("on", "k")).isTrue();
        assertThat(Values.bool("False", "k")).isFalse();
        assertThat(Values.bool("no", "k")).isFalse();
        assertThat(Values.bool("off", "k")).isFalse();
        assertThatThrownBy(() -> Values.bool("maybe", "pid"))
                .hasMessage("pid = \"maybe\" is not a boolean: use true or false");
    }

    @Test
    void integersNameTheRange() {
        assertThat(Values.integer(" -3 ", "k")).isEqualTo(-3);
        assertThatThrownBy(() -> Values.integer("many", "pids"))
                .hasMessage("pids = \"many\" is not a whole number: use e.g. 64");
        assertThatThrownBy(() -> Values.integer("99999999999", "pids"))
                .hasMessage("pids = \"99999999999\" is out of range: at most 2147483647");
        assertThatThrownBy(() -> Values.integer("1.5", "pids")).hasMessageContaining("is not a whole number");
    }

    @Test
    void enumsAreCaseInsensitiveAndSuggest() {
        assertThat(Values.enumeration(Net.class, " none", "net", "a network")).isEqualTo(Net.NONE);
        assertThatThrownBy(() -> Values.enumeration(Net.class, "privat", "net", "a network"))
                .hasMessage("net = \"privat\" is not a network (did you mean PRIVATE?);"
                        + " allowed: HOST, PRIVATE, NONE (case-insensitive)");
        assertThatThrownBy(() -> Values.enumeration(Net.class, "INTERNET", "net", "a network"))
                .hasMessage("net = \"INTERNET\" is not a network; allowed: HOST, PRIVATE, NONE (case-insensitive)");
    }
}
