package dev.belljar.spec;

import java.util.regex.Pattern;

/** CPU quotas in cores: {@code 0.5}, {@code 2}. */
final class Cores {
    /** The smallest quota the kernel accepts is 1 ms per 100 ms period. */
    static final double MIN = 0.01;
    private static final int MAX = 4096;
    private static final Pattern DECIMAL = Pattern.compile("-?(\\d+(\\.\\d*)?|\\.\\d+)");

    private Cores() {
    }

    static double parse(String text, String key) {
        // Decimal only: Double.parseDouble also reads "2d", "1e3", "0x1p-3" and "NaN".
        if (!DECIMAL.matcher(text.trim()).matches()) {
            throw new SpecException(key + " = \"" + text + "\" is not a number of cores: use e.g. 0.5 or 2");
        }
        double cores = Double.parseDouble(text.trim());
        if (!(cores >= MIN) || cores > MAX) {
            throw new SpecException(key + " = \"" + text + "\" is out of range: use between " + MIN + " and " + MAX + " cores");
        }
        return cores;
    }
}
