package dev.belljar.spec;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One value of a YAML file with where it is: the file, the line and the path of keys that leads to it
 * ({@code profiles.tiny.memory}). Reading it as a map or a single value checks its type, and every
 * error names all three, so that a user can find the offending line.
 */
final class YamlElement {
    private final String source;
    private final String key;
    private final String path;
    private final int line;
    private final Node node;

    private YamlElement(String source, String key, String path, int line, Node node) {
        this.source = source;
        this.key = key;
        this.path = path;
        this.line = line;
        this.node = node;
    }

    /** The document in {@code text}; {@code source} names the file in error messages. */
    static YamlElement parse(String text, String source) {
        // compose() stops at nodes: no tag can make it instantiate a class. The safe constructor
        // keeps it that way should anyone ever construct objects from this Yaml.
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        Node root;
        try {
            root = yaml.compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? source : source + " line " + (mark.getLine() + 1);
            // SnakeYAML's context ("while parsing a flow mapping") leads into its problem.
            String context = e.getContext() == null ? "" : e.getContext() + ", ";
            throw new SpecException("not valid YAML: " + context + e.getProblem()).in(where);
        } catch (YAMLException e) {
            throw new SpecException("not valid YAML: " + e.getMessage()).in(source);
        }
        return new YamlElement(source, "", "", root == null ? 1 : lineOf(root), root);
    }

    /** The key this value belongs to, e.g. {@code memory}; empty for the document itself. */
    String key() {
        return key;
    }

    /** The path of keys, e.g. {@code profiles.tiny.memory}; empty for the document itself. */
    String path() {
        return path;
    }

    /** An error about this element: {@code message} prefixed with the file and line. */
    SpecException error(String message) {
        return errorAt(line, message);
    }

    private SpecException errorAt(int atLine, String message) {
        return new SpecException(message).in(source + " line " + atLine);
    }

    /**
     * {@code e}, thrown while parsing this element's value, located: the spec's own messages start with
     * the bare key ({@code memory = "64Q" is not a size ...}), which becomes the full path and the line.
     */
    SpecException locate(SpecException e) {
        return error(e.at(key, path).getMessage());
    }

    /** The single value's text; {@code expected} says what belongs here, e.g. {@code a size, e.g. 64M}. */
    String scalar(String expected) {
        if (isNull()) {
            throw error(name() + " has no value, expected " + expected);
        }
        if (!(node instanceof ScalarNode scalar)) {
            throw error(typeMismatch(expected));
        }
        return scalar.getValue();
    }

    /** A list of single values, or one single value as a list of one: {@code [/, /tmp]} or {@code /}. */
    List<String> scalars(String expected) {
        if (node instanceof SequenceNode sequence) {
            List<String> values = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                if (!(item instanceof ScalarNode scalar)) {
                    throw errorAt(lineOf(item), name() + " holds " + kindOf(item) + ", expected " + expected);
                }
                values.add(scalar.getValue());
            }
            return values;
        }
        return List.of(scalar(expected));
    }

    /** The entries of a map with any keys; no value (or an empty document) is an empty map. */
    List<YamlElement> entries(String expected) {
        return entries(expected, null);
    }

    /** The entries of a map whose keys must be among {@code allowed}. */
    List<YamlElement> entries(String expected, Collection<String> allowed) {
        if (isNull()) {
            return List.of();
        }
        if (!(node instanceof MappingNode mapping)) {
            throw error(typeMismatch(expected));
        }
        List<YamlElement> entries = new ArrayList<>();
        Map<String, Integer> firstLines = new HashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                throw errorAt(lineOf(tuple.getKeyNode()),
                        name() + " has a key that is " + kindOf(tuple.getKeyNode()) + ": keys are plain names");
            }
            String entryKey = keyNode.getValue();
            YamlElement entry = new YamlElement(source, entryKey, path.isEmpty() ? entryKey : path + "." + entryKey,
                    lineOf(keyNode), tuple.getValueNode());
            if (allowed != null && !allowed.contains(entryKey)) {
                throw entry.error(entry.path + " is not a known key" + Suggestions.didYouMean(entryKey, allowed)
                        + "; allowed here: " + String.join(", ", allowed));
            }
            Integer firstLine = firstLines.putIfAbsent(entryKey, entry.line);
            if (firstLine != null) {
                throw entry.error(entry.path + " is declared twice (first on line " + firstLine + "); keep one");
            }
            entries.add(entry);
        }
        return entries;
    }

    private boolean isNull() {
        return node == null || node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
    }

    private String name() {
        return path.isEmpty() ? "the document" : path;
    }

    private String typeMismatch(String expected) {
        String actual = node instanceof ScalarNode scalar ? " = \"" + scalar.getValue() + "\" is a single value"
                : " is " + kindOf(node);
        return name() + actual + ", expected " + expected;
    }

    private static String kindOf(Node node) {
        if (node instanceof SequenceNode) {
            return "a list";
        }
        return node instanceof MappingNode ? "a map" : "a single value";
    }

    private static int lineOf(Node node) {
        // Marks count lines from 0; editors count from 1.
        return node.getStartMark().getLine() + 1;
    }
}
