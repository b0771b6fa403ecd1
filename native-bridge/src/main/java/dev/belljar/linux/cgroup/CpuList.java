package dev.belljar.linux.cgroup;

import java.util.BitSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel CPU list ({@code 0}, {@code 0-1,3}) as {@code cpuset.cpus} takes and prints it. The
 * kernel prints a list in one normal form: ascending, runs of two or more CPUs as {@code a-b},
 * joined by commas. Writing that form makes the read-back compare equal.
 */
public final class CpuList {

    private static final Pattern ITEM = Pattern.compile("(\\d{1,5})(?:-(\\d{1,5}))?");
    /** Far above any NR_CPUS; only guards against a typo allocating a huge bit set. */
    private static final int MAX_CPU = 65_535;

    private CpuList() {
    }

    /**
     * @throws IllegalArgumentException naming the list, the bad item and the syntax allowed
     */
    static BitSet parse(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("cpusetCpus '" + list + "' is empty: give a CPU list such as 0 or 0-1,3");
        }
        BitSet cpus = new BitSet();
        for (String item : list.strip().split(",", -1)) {
            Matcher m = ITEM.matcher(item.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("cpusetCpus '" + list + "' has the invalid item '" + item
                        + "': a CPU list is comma-separated CPU numbers and ranges, e.g. 0 or 0-1,3");
            }
            int from = Integer.parseInt(m.group(1));
            int to = m.group(2) == null ? from : Integer.parseInt(m.group(2));
            if (to < from || to > MAX_CPU) {
                throw new IllegalArgumentException("cpusetCpus '" + list + "' has the invalid range '" + item
                        + "': write low-high with low <= high, e.g. 0-3");
            }
            cpus.set(from, to + 1);
        }
        return cpus;
    }

    /**
     * The kernel's form of {@code list}: "3,1,0" is "0-1,3".
     *
     * @throws IllegalArgumentException naming the list, the bad item and the syntax allowed
     */
    public static String normalize(String list) {
        return format(parse(list));
    }

    /**
     * How many CPUs {@code list} names.
     *
     * @throws IllegalArgumentException naming the list, the bad item and the syntax allowed
     */
    public static int count(String list) {
        return parse(list).cardinality();
    }

    static String format(BitSet cpus) {
        StringBuilder out = new StringBuilder();
        int from = cpus.nextSetBit(0);
        while (from >= 0) {
            int to = cpus.nextClearBit(from) - 1;
            if (out.length() > 0) {
                out.append(',');
            }
            out.append(from);
            if (to > from) {
                out.append('-').append(to);
            }
            from = cpus.nextSetBit(to + 1);
        }
        return out.toString();
    }

    /** The CPUs of {@code wanted} that {@code allowed} lacks, in kernel form; empty when none. */
    static String outside(String wanted, String allowed) {
        BitSet extra = parse(wanted);
        if (!allowed.isBlank()) {
            extra.andNot(parse(allowed));
        }
        return format(extra);
    }
}
