package org.cartrelay.connectors;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

import org.cartrelay.support.JsonSchemas.Finding;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Words the schema violations of one connector file as sentences a person fixes the file by: one per problem, each
 * naming the file and the key, from the validator's structured findings (keyword, place, arguments, schema
 * location), never from its English text unless no rule here knows the keyword. Values are quoted as the file
 * wrote them, except where the schema marks a secret ({@code format: password}) or the key names one.
 */
final class ConnectorProblems {

    private static final String DURATION = "/$defs/duration/pattern";
    private static final Set<String> SECRET_WORDS = Set.of("secret", "password", "token", "apikey", "bearer", "value");

    private final Path file;
    private final String type;
    private final JsonNode raw;
    private final JsonNode resolved;
    private final Set<List<Object>> unresolved;

    /**
     * @param type the file's {@code type} when it is one the schema knows, else null
     * @param raw the file as written
     * @param resolved the file with its {@code ${NAME}} references resolved, as validated
     * @param unresolved the places whose references could not be resolved (already reported)
     */
    ConnectorProblems(Path file, String type, JsonNode raw, JsonNode resolved, Set<List<Object>> unresolved) {
        this.file = file;
        this.type = type;
        this.raw = raw;
        this.resolved = resolved;
        this.unresolved = unresolved;
    }

    List<String> sentences(List<Finding> findings) {
        List<Finding> kept = new ArrayList<>(findings);
        kept.removeIf(this::underUnresolved);
        List<String> sentences = new ArrayList<>(alternatives(kept));
        for (Finding finding : kept) {
            String sentence = sentence(finding);
            if (sentence != null) {
                sentences.add(sentence);
            }
        }
        return sentences.stream()
                .distinct()
                .sorted(Comparator.comparing(ConnectorProblems::keyOf))
                .toList();
    }

    private static String keyOf(String sentence) {
        int quote = sentence.indexOf('\'');
        return quote < 0 ? "" : sentence.substring(quote);
    }

    private boolean underUnresolved(Finding finding) {
        return unresolved.stream()
                .anyMatch(place -> finding.at().size() >= place.size()
                        && finding.at().subList(0, place.size()).equals(place));
    }

    /**
     * A value that fits none of a {@code oneOf}'s forms: when it has the wrong type for all of them, one sentence
     * names the types allowed; otherwise the form of its type says what is wrong, and the other forms' type
     * mismatches are left out. Removes the findings so worded.
     */
    private List<String> alternatives(List<Finding> findings) {
        List<String> sentences = new ArrayList<>();
        List<Finding> groups = findings.stream()
                .filter(f -> f.keyword().equals("oneOf") || f.keyword().equals("anyOf"))
                .toList();
        for (Finding group : groups) {
            String prefix = group.evaluationPath() + "[";
            List<Finding> inside = findings.stream()
                    .filter(f -> f.evaluationPath().startsWith(prefix))
                    .toList();
            List<Finding> types =
                    inside.stream().filter(f -> f.keyword().equals("type")).toList();
            findings.remove(group);
            if (inside.isEmpty()) {
                sentences.add(
                        start(group.at()) + " fits more than one of the forms it may take; it must fit exactly one.");
            } else if (types.size() == inside.size()) {
                Set<String> expected = new LinkedHashSet<>();
                types.forEach(
                        t -> expected.add(typeName(String.valueOf(t.arguments().get(1)))));
                sentences.add(start(group.at()) + " is " + kindOrValue(group.at(), group.schemaPointer())
                        + ", but must be " + String.join(" or ", expected) + ".");
                findings.removeAll(inside);
            } else {
                findings.removeAll(types);
            }
        }
        return sentences;
    }

    private String sentence(Finding f) {
        List<Object> at = f.at();
        String parent = parentPointer(f.schemaPointer());
        return switch (f.keyword()) {
            case "unevaluatedProperties" -> unknownRootKey(f.property());
            case "additionalProperties" -> unknownKey(at, f.property(), ConnectorSchema.at(parent));
            case "required" ->
                begin() + "key '" + key(at, f.property()) + "' is missing; "
                        + (!at.isEmpty()
                                ? "'" + key(at, null) + "'"
                                : type == null ? "every connector file" : article(type) + " " + type + " connector")
                        + " needs it.";
            case "type" ->
                start(at) + " is " + kindOrValue(at, f.schemaPointer()) + ", but must be "
                        + typeName(String.valueOf(f.arguments().get(1))) + ".";
            case "enum" ->
                at.equals(List.of("type"))
                        ? unknownType()
                        : but(f, "must be one of " + choices(ConnectorSchema.at(f.schemaPointer())));
            case "const" -> but(f, "must be " + literal(ConnectorSchema.at(f.schemaPointer())));
            case "pattern" ->
                f.schemaPointer().equals(DURATION)
                        ? but(f, "must be a duration such as 10s, 500ms, 2m (units ms, s, m, h, d)")
                        : start(at) + (secret(at, f.schemaPointer()) ? "" : " is " + value(at) + ", which")
                                + " does not have the form it needs: " + description(parent) + ".";
            case "minimum" -> but(f, "must be at least " + f.arguments().get(0));
            case "maximum" -> but(f, "must be at most " + f.arguments().get(0));
            case "exclusiveMinimum" ->
                but(f, "must be more than " + f.arguments().get(0));
            case "exclusiveMaximum" ->
                but(f, "must be less than " + f.arguments().get(0));
            case "minLength" ->
                start(at)
                        + (number(f.arguments().get(0)) <= 1
                                ? " is empty, but must not be."
                                : " must be at least " + f.arguments().get(0) + " characters long.");
            case "maxLength" -> start(at) + " must be at most " + f.arguments().get(0) + " characters long.";
            case "minItems" ->
                start(at) + " must list at least " + f.arguments().get(0) + " value"
                        + (number(f.arguments().get(0)) == 1 ? "" : "s") + ".";
            case "maxItems" -> start(at) + " must list at most " + f.arguments().get(0) + " values.";
            case "uniqueItems" -> start(at) + " lists the same value twice.";
            case "minProperties" ->
                start(at) + " must set "
                        + (number(f.arguments().get(0)) == 1
                                ? "one"
                                : "at least " + f.arguments().get(0)) + " of "
                        + keys(ConnectorSchema.at(parent)) + ".";
            case "maxProperties" ->
                start(at) + " may set "
                        + (number(f.arguments().get(0)) == 1
                                ? "only one"
                                : "at most " + f.arguments().get(0)) + " of "
                        + keys(ConnectorSchema.at(parent)) + ".";
            case "propertyNames" -> badKeyName(at, f.property(), f.schemaPointer());
            default -> start(at) + " " + f.message() + ".";
        };
    }

    /**
     * A key the type does not have. A key the type has is also reported as not evaluated when another of its keys
     * failed (a failed branch of the schema evaluates none of its keys); that is not a problem of its own.
     */
    private String unknownRootKey(String name) {
        if (type == null) {
            return null;
        }
        Set<String> keys = names(ConnectorSchema.properties(type));
        if (keys.contains(name)) {
            return null;
        }
        return begin() + "unknown key '" + name + "'" + suggestion(name, keys, "") + ".";
    }

    private String unknownKey(List<Object> at, String name, JsonNode schema) {
        Set<String> keys = names(ConnectorSchema.resolve(schema).path("properties"));
        String prefix = key(at, null) + ".";
        return begin() + "unknown key '" + key(at, name) + "'" + suggestion(name, keys, prefix) + ".";
    }

    private String unknownType() {
        String written = resolved.path("type").asText();
        Set<String> types = ConnectorSchema.fragments().keySet();
        return begin() + "key 'type' is '" + written + "', which is not a connector type"
                + suggestion(written, types, "") + "; the types are " + String.join(", ", types) + ".";
    }

    private String badKeyName(List<Object> at, String name, String schemaPointer) {
        JsonNode schema = ConnectorSchema.at(schemaPointer);
        JsonNode forbidden = schema.path("not").path("enum");
        if (forbidden.isArray()) {
            return begin() + "key '" + key(at, name) + "' cannot be set here; the hub sets " + choices(forbidden)
                    + " itself.";
        }
        return begin() + "key '" + key(at, name) + "' is not a key '" + key(at, null) + "' can have: "
                + description(parentPointer(schemaPointer)) + ".";
    }

    private String suggestion(String written, Collection<String> candidates, String prefix) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : new TreeSet<>(candidates)) {
            int distance = distance(written.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        boolean close = best != null
                && (bestDistance <= Math.max(1, written.length() / 2)
                        || best.toLowerCase(Locale.ROOT).contains(written.toLowerCase(Locale.ROOT))
                        || written.toLowerCase(Locale.ROOT).contains(best.toLowerCase(Locale.ROOT)));
        return close ? " (did you mean '" + prefix + best + "'?)" : "";
    }

    /** Levenshtein distance, a swap of two neighbours counting as one edit. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
    }

    private String begin() {
        return "Connector file " + file + ": ";
    }

    private String start(List<Object> at) {
        return begin() + "key '" + key(at, null) + "'";
    }

    /** {@code retry.maxAttempts}, {@code secret[1]}: the place as a person finds it in the file. */
    static String key(List<Object> at, String property) {
        StringBuilder key = new StringBuilder();
        for (Object element : at) {
            if (element instanceof Integer index) {
                key.append('[').append(index).append(']');
            } else {
                key.append(key.isEmpty() ? "" : ".").append(element);
            }
        }
        if (property != null && !property.isEmpty()) {
            key.append(key.isEmpty() ? "" : ".").append(property);
        }
        return key.toString();
    }

    /** "key 'k' is 'v', but must …", the value left out where it is a secret. */
    private String but(Finding f, String must) {
        return start(f.at()) + (secret(f.at(), f.schemaPointer()) ? " " : " is " + value(f.at()) + ", but ") + must
                + ".";
    }

    /** The value at a place, or only its kind where it is a secret, a mapping or a list. */
    private String kindOrValue(List<Object> at, String schemaPointer) {
        JsonNode used = node(resolved, at);
        if (used.isObject()) {
            return "a mapping";
        }
        if (used.isArray()) {
            return "a list";
        }
        return secret(at, schemaPointer) ? typeName(kind(used)) : value(at);
    }

    /** The value at a place as the file wrote it (and what a reference in it resolved to). */
    private String value(List<Object> at) {
        JsonNode written = node(raw, at);
        JsonNode used = node(resolved, at);
        if (used.isObject() || used.isArray()) {
            return kindOrValue(at, "");
        }
        if (written.isTextual() && !written.asText().equals(used.asText())) {
            return "'" + written.asText() + "' (that is '" + used.asText() + "')";
        }
        return written.isTextual() ? "'" + written.asText() + "'" : written.toString();
    }

    private static boolean secret(List<Object> at, String schemaPointer) {
        for (String pointer = schemaPointer; !pointer.isEmpty(); pointer = parentPointer(pointer)) {
            if ("password".equals(ConnectorSchema.at(pointer).path("format").asText())) {
                return true;
            }
        }
        return at.stream()
                .filter(String.class::isInstance)
                .map(e -> ((String) e).toLowerCase(Locale.ROOT))
                .anyMatch(e -> SECRET_WORDS.stream().anyMatch(e::contains));
    }

    private static JsonNode node(JsonNode root, List<Object> at) {
        JsonNode node = root;
        for (Object element : at) {
            node = element instanceof Integer index ? node.path(index) : node.path((String) element);
        }
        return node;
    }

    private static String kind(JsonNode node) {
        if (node.isTextual()) {
            return "string";
        }
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        return node.isNull() ? "null" : "value";
    }

    private static String typeName(String jsonType) {
        return switch (jsonType) {
            case "string" -> "text";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "object" -> "a mapping of keys";
            case "array" -> "a list";
            case "null" -> "empty";
            default -> jsonType;
        };
    }

    private static String choices(JsonNode values) {
        List<String> all = new ArrayList<>();
        values.forEach(v -> all.add(v.isTextual() ? v.asText() : v.toString()));
        return String.join(", ", all);
    }

    private static String literal(JsonNode value) {
        return value.isTextual() ? "'" + value.asText() + "'" : value.toString();
    }

    private static String keys(JsonNode schema) {
        return String.join(", ", names(ConnectorSchema.resolve(schema).path("properties")));
    }

    private static Set<String> names(JsonNode properties) {
        Set<String> names = new LinkedHashSet<>();
        properties.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The description of the schema that holds a keyword, or of the nearest one above it (a list's items). */
    private static String description(String pointer) {
        for (String at = pointer; ; at = parentPointer(at)) {
            JsonNode schema = ConnectorSchema.at(at);
            if (schema.has("description")) {
                return schema.get("description").asText().replaceFirst("\\.$", "");
            }
            if (at.isEmpty()) {
                return "see the key's description in the schema";
            }
        }
    }

    private static String parentPointer(String pointer) {
        int slash = pointer.lastIndexOf('/');
        return slash <= 0 ? "" : pointer.substring(0, slash);
    }

    private static long number(Object argument) {
        return argument instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(argument));
    }
}
