package org.cartrelay.connectors;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The key tables of {@code docs/connectors.md} and {@code docs/connectors/<type>.md}, written from the schema: one
 * row per key (nested keys dotted, a list's items as {@code key[]}) with its title, type, default and description.
 * A page holds its table between {@link #BEGIN} and {@link #END}.
 */
final class KeyTables {

    static final String BEGIN =
            "<!-- keys:begin (generated from the schema by ConnectorSchemaTest; edit the schema) -->";
    static final String END = "<!-- keys:end -->";
    private static final Pattern BLOCK = Pattern.compile("(?s)<!-- keys:begin[^>]*-->.*?<!-- keys:end -->");

    private KeyTables() {}

    /** The table of the keys every connector has. */
    static String common() {
        return table(
                ConnectorSchema.joined().get("properties"),
                ConnectorSchema.joined().get("required"));
    }

    /** The table of a type's own keys and of the common keys it gives a meaning or default of its own. */
    static String of(String type) {
        JsonNode fragment = ConnectorSchema.fragments().get(type);
        JsonNode merged = ConnectorSchema.properties(type);
        List<String> rows = new ArrayList<>();
        Set<String> required = names(fragment.get("required"));
        fragment.get("properties").fieldNames().forEachRemaining(key -> {
            boolean common = ConnectorSchema.joined().get("properties").has(key);
            // a common key is described once in connectors.md: a type's page shows only what the type changes
            rows.addAll(rows(
                    key,
                    common ? fragment.get("properties").get(key) : merged.get(key),
                    merged.get(key),
                    required.contains(key),
                    !common));
        });
        // a common key the type requires, such as the webhook's endpoint
        required.stream()
                .filter(key -> !fragment.get("properties").has(key))
                .forEach(key -> rows.addAll(rows(key, merged.get(key), merged.get(key), true, false)));
        return header() + String.join("", rows);
    }

    /** The page with its table between the markers replaced; the page as it is when it has no markers. */
    static String rewrite(String page, String table) {
        Matcher block = BLOCK.matcher(page);
        return block.find() ? block.replaceFirst(Matcher.quoteReplacement(BEGIN + "\n" + table + END)) : page;
    }

    private static String table(JsonNode properties, JsonNode requiredKeys) {
        Set<String> required = names(requiredKeys);
        StringBuilder table = new StringBuilder(header());
        properties
                .fields()
                .forEachRemaining(
                        key -> rows(key.getKey(), key.getValue(), key.getValue(), required.contains(key.getKey()), true)
                                .forEach(table::append));
        return table.toString();
    }

    private static String header() {
        return "| Key | Title | Type | Default | Description |\n|---|---|---|---|---|\n";
    }

    /**
     * The row of a key (described by {@code shown}, typed and defaulted by {@code full}) and, with {@code nested},
     * those of its keys.
     */
    private static List<String> rows(String key, JsonNode shown, JsonNode full, boolean required, boolean nested) {
        JsonNode schema = ConnectorSchema.resolve(full);
        JsonNode described = ConnectorSchema.resolve(shown);
        List<String> rows = new ArrayList<>();
        String type = full.path("$ref").asText().equals("#/$defs/duration") ? "duration" : type(schema);
        rows.add("| `" + key + "` | " + cell(text(described, "title", schema)) + " | " + type + " | "
                + (required ? "required" : schema.has("default") ? "`" + value(schema.get("default")) + "`" : "")
                + " | " + cell(text(described, "description", schema)) + " |\n");
        if (nested) {
            JsonNode items = schema.path("items");
            JsonNode children = schema.has("properties") ? schema : ConnectorSchema.resolve(items);
            String prefix = schema.has("properties") ? key + "." : key + "[].";
            Set<String> own = names(children.get("required"));
            children.path("properties")
                    .fields()
                    .forEachRemaining(child -> rows.addAll(rows(
                            prefix + child.getKey(),
                            child.getValue(),
                            child.getValue(),
                            own.contains(child.getKey()),
                            true)));
        }
        return rows;
    }

    private static String text(JsonNode shown, String field, JsonNode fallback) {
        return shown.has(field)
                ? shown.get(field).asText()
                : fallback.path(field).asText("");
    }

    private static String type(JsonNode schema) {
        if (schema.has("const")) {
            return "`" + schema.get("const").asText() + "`";
        }
        if (schema.has("enum")) {
            List<String> values = new ArrayList<>();
            schema.get("enum").forEach(value -> values.add("`" + value.asText() + "`"));
            return String.join(", ", values);
        }
        if (schema.has("oneOf")) {
            Set<String> types = new TreeSet<>();
            schema.get("oneOf").forEach(option -> types.add(type(ConnectorSchema.resolve(option))));
            return String.join(" or ", types);
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            return "";
        }
        if (type.isArray()) {
            List<String> types = new ArrayList<>();
            type.forEach(t -> types.add(t.asText()));
            return String.join(" or ", types);
        }
        String name = type.asText();
        if (name.equals("array") && schema.has("items")) {
            String items = type(ConnectorSchema.resolve(schema.get("items")));
            return items.isEmpty() ? "list" : "list of " + items;
        }
        return name.equals("string") && schema.path("format").asText().equals("password") ? "string (secret)" : name;
    }

    private static String value(JsonNode value) {
        if (value.isArray()) {
            List<String> values = new ArrayList<>();
            value.forEach(v -> values.add(value(v)));
            return "[" + String.join(", ", values) + "]";
        }
        if (value.isObject()) {
            List<String> fields = new ArrayList<>();
            value.fields().forEachRemaining(f -> fields.add(f.getKey() + ": " + value(f.getValue())));
            return "{" + String.join(", ", fields) + "}";
        }
        return value.asText();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("<", "&lt;").replace("\n", " ");
    }

    private static Set<String> names(JsonNode array) {
        Set<String> names = new TreeSet<>();
        if (array != null) {
            array.forEach(name -> names.add(name.asText()));
        }
        return names;
    }
}
