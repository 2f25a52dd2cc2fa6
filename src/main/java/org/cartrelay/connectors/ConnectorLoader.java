package org.cartrelay.connectors;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.FromStringDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * Reads {@code connectors/*.yaml}: resolves {@code ${NAME}} references, validates each file against
 * {@code connector.schema.json}, fills in every default the schema gives a key the file leaves out, and turns it into
 * a {@link ConnectorDefinition}, whose {@code config} a type binds to its settings record ({@link #bind}). Defaults
 * are written in the schema only. Every problem of every file is found before any is reported, each as one sentence
 * naming the file, the key and what was expected ({@link ConnectorProblems}), all in one
 * {@link ConnectorConfigException}.
 */
public class ConnectorLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper BINDER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .addModule(new SimpleModule().addDeserializer(Duration.class, new FromStringDeserializer<>(Duration.class) {
                @Override
                protected Duration _deserialize(String value, DeserializationContext context) {
                    return duration(value);
                }
            }))
            .build();
    private final Environment environment;

    public ConnectorLoader(Environment environment) {
        this.environment = environment;
    }

    /**
     * Every connector file of the folder, in file name order; a problem in any of them stops the loading only after
     * all files are read, with every problem of every file.
     */
    public List<ConnectorDefinition> loadAll(Path folder) {
        return load(folder, false);
    }

    /**
     * What a hub loads: the folder's files and, with {@code demo}, the bundled demo connector; every problem found,
     * in all of them together, is one {@link ConnectorConfigException}.
     */
    public List<ConnectorDefinition> load(Path folder, boolean demo) {
        List<ConnectorDefinition> definitions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Path> files = new TreeMap<>();
        if (Files.isDirectory(folder)) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(folder, "*.{yaml,yml}")) {
                stream.forEach(file -> files.put(file.getFileName().toString(), file));
            } catch (IOException e) {
                throw new ConnectorConfigException(
                        "The connectors folder " + folder + " cannot be read: " + e.getMessage() + ".");
            }
        }
        Map<String, Path> names = new TreeMap<>();
        for (Path file : files.values()) {
            Read read = read(file, () -> YAML.readTree(file.toFile()));
            problems.addAll(read.problems());
            if (read.definition() != null) {
                ConnectorDefinition definition = read.definition();
                Path other = names.putIfAbsent(definition.name(), file);
                if (other != null) {
                    problems.add("Connector file " + file + ": key 'name' must be unique, but '" + definition.name()
                            + "' is already used by " + other + ".");
                } else {
                    definitions.add(definition);
                }
            }
        }
        if (demo) {
            ConnectorDefinition bundled = loadResource(ConnectorRegistry.DEMO);
            Path other = names.get(bundled.name());
            if (other != null) {
                problems.add("Connector file " + other + ": key 'name' must be unique, but '" + bundled.name()
                        + "' is the demo connector's, which cartrelay.demo.enabled=true adds.");
            }
            definitions.add(bundled);
        }
        if (!problems.isEmpty()) {
            throw new ConnectorConfigException(problems);
        }
        return definitions;
    }

    /** One connector file; every problem it has is one {@link ConnectorConfigException}. */
    public ConnectorDefinition load(Path file) {
        return load(file, () -> YAML.readTree(file.toFile()));
    }

    /** A connector file the hub ships on its classpath, e.g. {@code demo/demo-echo.yaml}. */
    public ConnectorDefinition loadResource(String location) {
        URL url = ConnectorLoader.class.getClassLoader().getResource(location);
        if (url == null) {
            throw new ConnectorConfigException("The bundled connector file " + location + " is missing from the hub.");
        }
        return load(Path.of("classpath:" + location), () -> YAML.readTree(url));
    }

    private interface TreeSource {
        JsonNode read() throws IOException;
    }

    /** A file's definition, or the problems that keep it from being one. */
    private record Read(ConnectorDefinition definition, List<String> problems) {}

    private ConnectorDefinition load(Path file, TreeSource source) {
        Read read = read(file, source);
        if (!read.problems().isEmpty()) {
            throw new ConnectorConfigException(read.problems());
        }
        return read.definition();
    }

    private Read read(Path file, TreeSource source) {
        JsonNode tree;
        try {
            tree = source.read();
        } catch (IOException e) {
            return failed("Connector file " + file + " is not valid YAML" + yamlProblem(e) + ".");
        }
        if (tree == null || !tree.isObject()) {
            return failed("Connector file " + file + " must be a YAML mapping with at least the key 'type'.");
        }
        JsonNode raw = tree.deepCopy();
        List<String> problems = new ArrayList<>();
        Set<List<Object>> unresolved = new HashSet<>();
        resolvePlaceholders(file, tree, new ArrayList<>(), problems, unresolved);
        String type = tree.path("type").asText(null);
        ConnectorProblems words = new ConnectorProblems(
                file,
                type != null && ConnectorSchema.fragments().containsKey(type) ? type : null,
                raw,
                tree,
                unresolved);
        problems.addAll(words.sentences(ConnectorSchema.validator().findings(tree)));
        if (problems.isEmpty()) {
            operationalEventsProblem(file, type, tree).ifPresent(problems::add);
        }
        if (!problems.isEmpty()) {
            return new Read(null, problems);
        }
        return new Read(definition(file, (ObjectNode) tree), List.of());
    }

    /** The types that may receive the hub's operational events ({@code hub.*}): they carry no checkout. */
    static final Set<String> OPERATIONAL_EVENT_TYPES = Set.of("webhook", "route");

    /**
     * A connector that lists an operational event but cannot send one: one of another type, or a webhook whose body is
     * a checkout's form fields. Said in one sentence.
     */
    private static Optional<String> operationalEventsProblem(Path file, String type, JsonNode tree) {
        JsonNode events = tree.get("events");
        if (events == null) {
            return Optional.empty();
        }
        List<String> listed = new ArrayList<>();
        events.forEach(event -> {
            if (event.asText().startsWith("hub.")) {
                listed.add(event.asText());
            }
        });
        if (listed.isEmpty()) {
            return Optional.empty();
        }
        if ("webhook".equals(type) && "form".equals(tree.path("format").asText()) && !tree.hasNonNull("template")) {
            return Optional.of("Connector file " + file + ": key 'events' lists " + String.join(", ", listed)
                    + ", but with format form a webhook sends a checkout's fields, which an operational event (hub.*)"
                    + " does not have; use format json, add a template, or list them in another webhook connector.");
        }
        if (OPERATIONAL_EVENT_TYPES.contains(type)) {
            return Optional.empty();
        }
        return Optional.of("Connector file " + file + ": key 'events' lists " + String.join(", ", listed)
                + ", but the hub's operational events (hub.*) go only to webhook and route connectors, not to one of"
                + " type " + type + "; remove them, or add a webhook or route connector for operators.");
    }

    private static Read failed(String problem) {
        return new Read(null, List.of(problem));
    }

    /** Where the YAML breaks and what the parser expected there, from SnakeYAML's marked exception. */
    private static String yamlProblem(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException marked) {
                Mark mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
                String where =
                        mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
                String problem = marked.getProblem() == null ? "" : marked.getProblem();
                String context = marked.getContext() == null ? "" : marked.getContext();
                String what = (problem + (problem.isEmpty() || context.isEmpty() ? "" : " ") + context).trim();
                return where + (what.isEmpty() ? "" : ": " + what);
            }
        }
        return ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
    }

    /** Resolves every reference in place; an unset one is a problem, and its place is left out of validation. */
    private void resolvePlaceholders(
            Path file, JsonNode node, List<Object> at, List<String> problems, Set<List<Object>> unresolved) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                at.add(field.getKey());
                if (field.getValue().isTextual()) {
                    resolve(file, at, field.getValue().asText(), problems, unresolved)
                            .ifPresent(value -> field.setValue(new TextNode(value)));
                } else {
                    resolvePlaceholders(file, field.getValue(), at, problems, unresolved);
                }
                at.remove(at.size() - 1);
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                at.add(i);
                if (array.get(i).isTextual()) {
                    int index = i;
                    resolve(file, at, array.get(i).asText(), problems, unresolved)
                            .ifPresent(value -> array.set(index, new TextNode(value)));
                } else {
                    resolvePlaceholders(file, array.get(i), at, problems, unresolved);
                }
                at.remove(at.size() - 1);
            }
        }
    }

    private Optional<String> resolve(
            Path file, List<Object> at, String value, List<String> problems, Set<List<Object>> unresolved) {
        if (!value.contains("${")) {
            return Optional.empty();
        }
        try {
            return Optional.of(environment.resolveRequiredPlaceholders(value));
        } catch (IllegalArgumentException e) {
            problems.add("Connector file " + file + ": key '" + ConnectorProblems.key(at, null) + "' refers to " + value
                    + ", but that environment variable or property is not set.");
            unresolved.add(List.copyOf(at));
            return Optional.empty();
        }
    }

    private static ConnectorDefinition definition(Path file, ObjectNode tree) {
        String fileName = file.getFileName().toString().replaceFirst("\\.ya?ml$", "");
        String type = tree.get("type").asText();
        ConnectorSchema.fillDefaults(type, tree);
        return new ConnectorDefinition(
                text(tree, "name", fileName),
                type,
                file,
                tree.get("enabled").asBoolean(),
                strings(tree.get("events")),
                filter(tree.get("filter")),
                tree.get("requireConsent").asBoolean(),
                tree.get("respectUnsubscribe").asBoolean(),
                text(tree, "endpoint", null),
                auth(tree.get("auth")),
                duration(tree.get("timeout").asText()),
                bind(file, tree.get("retry"), RetryPolicy.class),
                text(tree, "rateLimit", null),
                tree);
    }

    /**
     * A validated part of a connector file, its defaults filled in, as the record that holds it: Jackson binds keys
     * to record components by name, durations as written in the file ({@code 10s}); other keys are ignored.
     */
    static <T> T bind(Path file, JsonNode node, Class<T> type) {
        try {
            return BINDER.treeToValue(node, type);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConnectorConfigException("Connector file " + file + " does not fit " + type.getSimpleName() + ": "
                    + e.getMessage().lines().findFirst().orElse("") + ".");
        }
    }

    private static ConnectorDefinition.Filter filter(JsonNode node) {
        if (node == null) {
            return ConnectorDefinition.Filter.NONE;
        }
        String minTotal = text(node, "minTotal", null);
        return new ConnectorDefinition.Filter(
                minTotal == null ? null : new BigDecimal(minTotal),
                strings(node.get("products")),
                strings(node.get("countries")));
    }

    private static ConnectorDefinition.Auth auth(JsonNode node) {
        if (node == null) {
            return ConnectorDefinition.Auth.NONE;
        }
        JsonNode basic = node.get("basic");
        JsonNode header = node.get("header");
        return new ConnectorDefinition.Auth(
                text(node, "bearer", null),
                basic == null ? null : text(basic, "user", null),
                basic == null ? null : text(basic, "password", null),
                header == null ? null : text(header, "name", null),
                header == null ? null : text(header, "value", null));
    }

    private static Set<String> strings(JsonNode array) {
        Set<String> values = new LinkedHashSet<>();
        if (array != null) {
            array.forEach(value -> values.add(value.asText()));
        }
        return Set.copyOf(values);
    }

    static String text(JsonNode node, String key, String fallback) {
        JsonNode value = node.get(key);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    static Duration duration(String text) {
        return DurationStyle.SIMPLE.parse(text);
    }
}
