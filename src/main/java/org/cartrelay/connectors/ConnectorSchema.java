package org.cartrelay.connectors;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.cartrelay.support.JsonSchemas;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The connector file schema, joined from the keys every type has ({@code schemas/connector-common.schema.json}) and
 * one file per type ({@code schemas/connectors/<type>.schema.json}, beside the type's package). A type's file holds
 * {@code properties} (its own keys, or new defaults for common ones such as {@code endpoint} or
 * {@code requireConsent}), {@code required} and optionally {@code $defs}. The joined schema ships as
 * {@code schemas/connector.schema.json} for editors; {@code ConnectorSchemaTest} keeps that file equal to the join.
 */
public final class ConnectorSchema {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String COMMON = "/schemas/connector-common.schema.json";
    private static final String TYPES = "classpath*:schemas/connectors/*.schema.json";

    private static final Map<String, ObjectNode> FRAGMENTS = readFragments();
    private static final ObjectNode JOINED = join();
    /** The keys every type has. */
    private static final JsonNode COMMON_PROPERTIES = JOINED.get("properties");

    private static final JsonSchemas VALIDATOR = JsonSchemas.of(JOINED);

    private ConnectorSchema() {}

    /** Each type's own schema by type name. */
    public static Map<String, ObjectNode> fragments() {
        return FRAGMENTS;
    }

    public static ObjectNode joined() {
        return JOINED.deepCopy();
    }

    static JsonSchemas validator() {
        return VALIDATOR;
    }

    /**
     * The keys of one type: the common keys, overlaid by the type's own (which may give a common key a default of its
     * own, such as the vendor's base URL as {@code endpoint}), with their schemas merged.
     */
    public static ObjectNode properties(String type) {
        ObjectNode fragment = FRAGMENTS.get(type);
        return mergeProperties(COMMON_PROPERTIES, fragment == null ? null : fragment.get("properties"));
    }

    /** The part of the joined schema at a JSON pointer, such as a failed keyword's parent; missing when none. */
    static JsonNode at(String pointer) {
        return pointer.isEmpty() ? JOINED : JOINED.at(pointer);
    }

    /** A schema's {@code $ref} to one of the joined {@code $defs}, resolved; any other schema as it is. */
    static JsonNode resolve(JsonNode schema) {
        JsonNode ref = schema.get("$ref");
        if (ref == null || !ref.asText().startsWith("#/$defs/")) {
            return schema;
        }
        ObjectNode resolved =
                (ObjectNode) merge(JOINED.path("$defs").get(ref.asText().substring(8)), schema);
        resolved.remove("$ref");
        return resolved;
    }

    /**
     * Fills every {@code default} of the type's schema into a validated connector file, nested objects included: a
     * missing object whose keys have defaults (such as {@code retry}) is added with them.
     */
    static void fillDefaults(String type, ObjectNode file) {
        fill(properties(type), file);
    }

    private static void fill(JsonNode properties, ObjectNode node) {
        properties.fields().forEachRemaining(entry -> {
            JsonNode property = resolve(entry.getValue());
            String key = entry.getKey();
            if (!node.has(key) && property.has("default")) {
                node.set(key, property.get("default").deepCopy());
            } else if (property.has("properties")
                    && (!node.has(key) || node.get(key).isObject())) {
                ObjectNode child = node.has(key) ? (ObjectNode) node.get(key) : JSON.createObjectNode();
                fill(property.get("properties"), child);
                if (!child.isEmpty()) {
                    node.set(key, child);
                }
            }
        });
    }

    private static JsonNode merge(JsonNode base, JsonNode overlay) {
        if (base == null || !base.isObject() || !overlay.isObject()) {
            return overlay.deepCopy();
        }
        ObjectNode merged = base.deepCopy();
        overlay.fields()
                .forEachRemaining(field -> merged.set(
                        field.getKey(),
                        field.getKey().equals("properties")
                                ? mergeProperties(merged.get("properties"), field.getValue())
                                : field.getValue().deepCopy()));
        return merged;
    }

    private static ObjectNode mergeProperties(JsonNode base, JsonNode overlay) {
        ObjectNode merged = base == null ? JSON.createObjectNode() : (ObjectNode) base.deepCopy();
        if (overlay != null) {
            overlay.fields()
                    .forEachRemaining(key -> merged.set(key.getKey(), merge(merged.get(key.getKey()), key.getValue())));
        }
        return merged;
    }

    private static Map<String, ObjectNode> readFragments() {
        Map<String, ObjectNode> fragments = new TreeMap<>();
        try {
            for (Resource resource : new PathMatchingResourcePatternResolver().getResources(TYPES)) {
                String type = resource.getFilename().replace(".schema.json", "");
                try (InputStream in = resource.getInputStream()) {
                    fragments.put(type, (ObjectNode) JSON.readTree(in));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return fragments;
    }

    private static ObjectNode join() {
        ObjectNode schema;
        try (InputStream in = ConnectorSchema.class.getResourceAsStream(COMMON)) {
            schema = (ObjectNode) JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        schema.put("$id", "https://cartrelay.org/schemas/connector.schema.json");
        schema.put("title", "CartRelay connector file");
        schema.put(
                "description",
                "One file per connector instance in connectors/*.yaml. Values may "
                        + "reference environment variables or hub properties as ${NAME}. Generated from "
                        + "connector-common.schema.json and connectors/<type>.schema.json; edit those.");
        ArrayNode names = ((ObjectNode) schema.with("properties").get("type")).putArray("enum");
        ArrayNode allOf = JSON.createArrayNode();
        FRAGMENTS.forEach((type, fragment) -> {
            names.add(type);
            ObjectNode keys = allOf.addObject();
            // a file without a type is of no type: without "required" the condition would hold for it
            ObjectNode condition = keys.putObject("if");
            condition.putArray("required").add("type");
            condition.putObject("properties").putObject("type").put("const", type);
            ObjectNode then = keys.putObject("then");
            if (fragment.has("properties")) {
                then.set("properties", fragment.get("properties").deepCopy());
            }
            // required in a branch of its own: a failed branch drops its evaluated keys, and a missing required key
            // would otherwise also report every other key of the type as unknown
            if (fragment.has("required")) {
                ObjectNode required = allOf.addObject();
                required.set("if", condition.deepCopy());
                required.putObject("then")
                        .set("required", fragment.get("required").deepCopy());
            }
            if (fragment.has("$defs")) {
                fragment.get("$defs")
                        .fields()
                        .forEachRemaining(def -> schema.with("$defs").set(def.getKey(), def.getValue()));
            }
        });
        ObjectNode ordered = JSON.createObjectNode();
        schema.fields().forEachRemaining(field -> {
            if (field.getKey().equals("unevaluatedProperties")) {
                ordered.set("allOf", allOf);
            }
            ordered.set(field.getKey(), field.getValue());
        });
        return ordered;
    }

    /** Writes the joined schema, e.g. {@code src/main/resources/schemas/connector.schema.json}. */
    public static void main(String[] args) throws IOException {
        Files.writeString(Path.of(args[0]), JSON.writeValueAsString(JOINED) + "\n");
    }
}
