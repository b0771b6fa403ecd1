package dev.belljar.spec;

/** CPU quotas in cores: {@code 0.5}, {@code 2}. */
final class Cores {
    /** The smallest quota the kernel accepts is 1 ms per 100 ms period. */
    static final double MIN = 0.01;

    private Cores() {
    }

    static double parse(String text, String key) {
        double cores;
        try {
            cores = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new SpecException(key + " = \"" + text + "\" is not a number of cores: use e.g. 0.5 or 2");
        }
        if (!(cores >= MIN) || Double.isInfinite(cores) || cores > 4096) {
            throw new SpecException(key + " = \"" + text + "\" is out of range: use between " + MIN + " and 4096 cores");
        }
        return cores;
    }
}
