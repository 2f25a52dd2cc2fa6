package org.cartrelay.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** A JSON Schema from the classpath that reports each violation as (field path, sentence). */
public final class JsonSchemas {

    public record Violation(String field, String message) {}

    /**
     * One violation as the validator reports it, for callers that word their own sentences: the keyword that failed,
     * where in the document (each element a key or an array index), the property it names (a missing, unknown or
     * badly named key), the keyword's arguments, the JSON pointer of the failing keyword in the schema, the
     * evaluation path (which branch of a oneOf it came from) and the validator's own English text as a last resort.
     */
    public record Finding(
            String keyword,
            List<Object> at,
            String property,
            List<Object> arguments,
            String schemaPointer,
            String evaluationPath,
            String message) {}

    private final JsonSchema schema;

    private JsonSchemas(JsonSchema schema) {
        this.schema = schema;
    }

    public static JsonSchemas load(String classpathLocation) {
        try (InputStream in = JsonSchemas.class.getResourceAsStream(classpathLocation)) {
            if (in == null) {
                throw new IllegalStateException("Schema " + classpathLocation + " is missing from the classpath");
            }
            return new JsonSchemas(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
                    .getSchema(in, config()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A schema assembled in memory, such as the connector schema made of the common keys and each type's. */
    public static JsonSchemas of(JsonNode schema) {
        return new JsonSchemas(
                JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema, config()));
    }

    private static SchemaValidatorsConfig config() {
        return SchemaValidatorsConfig.builder()
                .formatAssertionsEnabled(true)
                // "$.retry.maxAttempts", the form violation() turns into a key; the 2020-12 default is
                // "/retry/maxAttempts"
                .pathType(PathType.LEGACY)
                .locale(Locale.ENGLISH)
                .build();
    }

    public List<Violation> validate(JsonNode document) {
        return schema.validate(document).stream()
                .map(JsonSchemas::violation)
                .distinct()
                .sorted(Comparator.comparing(Violation::field).thenComparing(Violation::message))
                .toList();
    }

    /** Every violation, in the validator's structured form. */
    public List<Finding> findings(JsonNode document) {
        return schema.validate(document).stream().map(JsonSchemas::finding).toList();
    }

    private static Finding finding(ValidationMessage message) {
        JsonNodePath location = message.getInstanceLocation();
        List<Object> at = new ArrayList<>();
        for (int i = 0; i < location.getNameCount(); i++) {
            at.add(location.getElement(i));
        }
        String schemaLocation = message.getSchemaLocation().toString();
        int hash = schemaLocation.indexOf('#');
        String text = message.getMessage();
        int colon = text.indexOf(": ");
        return new Finding(
                message.getType(),
                List.copyOf(at),
                message.getProperty(),
                message.getArguments() == null ? List.of() : Arrays.asList(message.getArguments()),
                hash < 0 ? "" : schemaLocation.substring(hash + 1),
                message.getEvaluationPath().toString(),
                text.startsWith("$") && colon > 0 ? text.substring(colon + 2) : text);
    }

    private static Violation violation(ValidationMessage message) {
        String path = message.getInstanceLocation().toString();
        String field = path.equals("$") ? "" : path.replaceFirst("^\\$\\.?", "");
        if (message.getProperty() != null && !field.endsWith(message.getProperty())) {
            field = field.isEmpty() ? message.getProperty() : field + "." + message.getProperty();
        }
        String text = message.getMessage();
        int colon = text.indexOf(": ");
        if (text.startsWith("$") && colon > 0) {
            text = text.substring(colon + 2);
        }
        return new Violation(field.isEmpty() ? "(document)" : field, text);
    }
}
