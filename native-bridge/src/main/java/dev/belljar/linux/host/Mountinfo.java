package dev.belljar.linux.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a mount table in the format of {@code /proc/self/mountinfo} (proc(5)), one {@link Mount}
 * a line, in file order: the order the mounts were made, so a later one shadows an earlier one at
 * the same mount point.
 */
public final class Mountinfo {
    private Mountinfo() {
    }

    /**
     * One line: {@code 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue}.
     * The kernel writes space, tab, newline and backslash in paths as octal escapes ({@code \040});
     * {@code root}, {@code mountPoint} and {@code source} hold them decoded.
     *
     * @param mountId        a unique id of the mount (field 1)
     * @param parentId       the id of the mount it is on (field 2)
     * @param majorMinor     the device of the file system, {@code MAJ:MIN} (field 3; major 0 is anonymous)
     * @param root           the directory of the file system shown at the mount point (field 4)
     * @param mountPoint     where it is mounted, as this process sees it (field 5)
     * @param mountOptions   the per-mount options, e.g. {@code rw}, {@code relatime} (field 6)
     * @param optionalFields tags such as {@code shared:5} or {@code master:1}, possibly none
     * @param fsType         the file system type, e.g. {@code ext4}, {@code cgroup2} (after the {@code -})
     * @param source         what was mounted, e.g. {@code /dev/sda1}, or {@code none}
     * @param superOptions   the per-file-system options; the controller names of a cgroup v1 hierarchy
     */
    public record Mount(int mountId, int parentId, String majorMinor, String root, String mountPoint,
            List<String> mountOptions, List<String> optionalFields, String fsType, String source,
            List<String> superOptions) {

        public Mount {
            mountOptions = List.copyOf(mountOptions);
            optionalFields = List.copyOf(optionalFields);
            superOptions = List.copyOf(superOptions);
        }
    }

    /** Every mount listed in {@code file}; a line that is not a mountinfo record is skipped. */
    public static List<Mount> read(Path file) throws IOException {
        return parse(Files.readAllLines(file));
    }

    /** Every mount in {@code lines}; a line that is not a mountinfo record is skipped. */
    public static List<Mount> parse(List<String> lines) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : lines) {
            Mount mount = parseLine(line);
            if (mount != null) {
                mounts.add(mount);
            }
        }
        return mounts;
    }

    private static Mount parseLine(String line) {
        String[] fields = line.strip().split(" ");
        int separator = List.of(fields).indexOf("-");
        if (separator < 6 || fields.length < separator + 4) {
            return null;
        }
        try {
            return new Mount(Integer.parseInt(fields[0]), Integer.parseInt(fields[1]), fields[2],
                    unescape(fields[3]), unescape(fields[4]), List.of(fields[5].split(",")),
                    List.of(fields).subList(6, separator), fields[separator + 1], unescape(fields[separator + 2]),
                    List.of(fields[separator + 3].split(",")));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Decodes the octal escapes ({@code \040} for a space, {@code \134} for a backslash) of one field. */
    static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
