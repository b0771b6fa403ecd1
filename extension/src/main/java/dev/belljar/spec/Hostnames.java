package dev.belljar.spec;

import java.util.regex.Pattern;

/** Host names the kernel accepts in a UTS namespace (RFC 1123 labels, at most 64 bytes). */
final class Hostnames {
    private static final Pattern LABELS = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

    private Hostnames() {
    }

    static String validate(String name, String key) {
        if (name.length() > 64 || !LABELS.matcher(name).matches()) {
            throw new SpecException(key + " = \"" + name + "\" is not a host name: use letters, digits, '-' and '.',"
                    + " at most 64 characters, e.g. sandbox-1");
        }
        return name;
    }
}
