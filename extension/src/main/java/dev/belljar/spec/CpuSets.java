package dev.belljar.spec;

import dev.belljar.linux.cgroup.CpuList;

/** Kernel CPU lists ({@code 0}, {@code 0-1,3}), read by native-bridge's {@link CpuList}, their one parser. */
final class CpuSets {
    private CpuSets() {
    }

    /** The list as declared, without blanks, after the kernel syntax accepted it. */
    static String parse(String text, String key) {
        try {
            CpuList.normalize(text);
        } catch (IllegalArgumentException e) {
            throw new SpecException(key + " = \"" + text + "\" is not a CPU list: use CPU numbers and ranges,"
                    + " e.g. 0, 0-3 or 0-1,3");
        }
        // Accepted: blanks can only stand around items, so dropping them leaves the same list.
        return text.replaceAll("\\s", "");
    }

    /** How many CPUs {@code list} names. */
    static int count(String list) {
        return CpuList.count(list);
    }
}
