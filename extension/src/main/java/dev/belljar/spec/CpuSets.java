package dev.belljar.spec;

import dev.belljar.linux.cgroup.CgroupLimits;

/**
 * Kernel CPU lists ({@code 0}, {@code 0-1,3}). The syntax has one parser, native-bridge's
 * {@code CpuList}; it is package-private there, so it is reached through {@link CgroupLimits}, which
 * checks a list and keeps it in the kernel's normal form.
 */
final class CpuSets {
    private CpuSets() {
    }

    /** The list as declared, without blanks, after the kernel syntax accepted it. */
    static String parse(String text, String key) {
        try {
            CgroupLimits.none().withCpusetCpus(text);
        } catch (IllegalArgumentException e) {
            throw new SpecException(key + " = \"" + text + "\" is not a CPU list: use CPU numbers and ranges,"
                    + " e.g. 0, 0-3 or 0-1,3");
        }
        // Accepted: blanks can only stand around items, so dropping them leaves the same list.
        return text.replaceAll("\\s", "");
    }

    /** How many CPUs {@code list} names, counted on the normal form, where ranges are ascending and disjoint. */
    static int count(String list) {
        String normal = CgroupLimits.none().withCpusetCpus(list).cpusetCpus().orElseThrow();
        int count = 0;
        for (String item : normal.split(",")) {
            int dash = item.indexOf('-');
            count += dash < 0 ? 1 : Integer.parseInt(item.substring(dash + 1)) - Integer.parseInt(item.substring(0, dash)) + 1;
        }
        return count;
    }
}
