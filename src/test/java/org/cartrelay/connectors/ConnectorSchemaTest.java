package org.cartrelay.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Docs, examples and the shipped schema cannot drift from the schema the loader uses: every key has a title and a
 * description, secrets are {@code format: password}; every type has a page in {@code docs/connectors/} whose key
 * table is the one the schema generates ({@link KeyTables}), a commented example in {@code connectors/examples/} that
 * loads, and {@code schemas/connector.schema.json} is the join of the parts. After changing a schema, rewrite the
 * shipped file and the tables with {@code ./mvnw test -Dtest=ConnectorSchemaTest -Dcartrelay.schema.write=true}.
 */
class ConnectorSchemaTest {

    private static final Path SHIPPED = Path.of("src/main/resources/schemas/connector.schema.json");
    private static final String WRITE_PROPERTY = "cartrelay.schema.write";
    private static final boolean WRITE = Boolean.getBoolean(WRITE_PROPERTY);
    /** Keys whose values are credentials. */
    private static final Pattern SECRET = Pattern.compile("(?i)(password|apiKey|secret|bearer|header\\.value)$");

    @Test
    void theShippedSchemaIsTheJoinOfTheCommonKeysAndEveryTypesKeys() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode joined = ConnectorSchema.joined();
        if (WRITE) {
            ConnectorSchema.main(new String[] {SHIPPED.toString()});
        }
        assertThat(json.readTree(SHIPPED.toFile()))
                .as("%s is out of date; rewrite it with -Dcartrelay.schema.write=true", SHIPPED)
                .isEqualTo(joined);
        assertThat(joined.path("properties").path("type").path("enum"))
                .extracting(JsonNode::asText)
                .containsAll(ConnectorSchema.fragments().keySet());
    }

    @Test
    void everyPageHasTheKeyTableTheSchemaGenerates() throws IOException {
        Map<Path, String> tables = new LinkedHashMap<>();
        tables.put(Path.of("docs/connectors.md"), KeyTables.common());
        ConnectorSchema.fragments()
                .keySet()
                .forEach(type -> tables.put(Path.of("docs/connectors", type + ".md"), KeyTables.of(type)));
        for (Map.Entry<Path, String> table : tables.entrySet()) {
            Path page = table.getKey();
            assertThat(page).exists();
            String text = Files.readString(page);
            assertThat(text)
                    .as("%s holds its key table between the markers", page)
                    .contains("<!-- keys:begin")
                    .contains(KeyTables.END);
            String generated = KeyTables.rewrite(text, table.getValue());
            if (WRITE) {
                Files.writeString(page, generated);
                text = generated;
            }
            assertThat(text)
                    .as("the key table of %s is out of date; rewrite it with -D%s=true", page, WRITE_PROPERTY)
                    .isEqualTo(generated);
        }
    }

    @Test
    void everyKeyHasATitleAndADescriptionAndEverySecretIsMarked() {
        Map<String, JsonNode> schemas = new LinkedHashMap<>();
        schemas.put("connector-common", ConnectorSchema.joined());
        ConnectorSchema.fragments().forEach(schemas::put);
        schemas.forEach((name, schema) -> properties(schema, name, (key, property) -> {
            assertThat(property.path("title").asText()).as("title of %s", key).isNotBlank();
            assertThat(property.path("description").asText())
                    .as("description of %s", key)
                    .isNotBlank();
            if (SECRET.matcher(key).find() && !property.has("oneOf")) {
                assertThat(ConnectorSchema.resolve(property).path("format").asText())
                        .as("%s is a secret: format password", key)
                        .isEqualTo("password");
            }
        }));
    }

    /** Every schema under a {@code properties}, in lists' items and in {@code $defs} too, by its dotted key. */
    private static void properties(JsonNode schema, String at, BiConsumer<String, JsonNode> each) {
        schema.path("properties").fields().forEachRemaining(key -> {
            each.accept(at + "." + key.getKey(), key.getValue());
            properties(key.getValue(), at + "." + key.getKey(), each);
        });
        if (schema.has("items")) {
            properties(schema.get("items"), at + "[]", each);
        }
        schema.path("$defs")
                .fields()
                .forEachRemaining(def -> properties(def.getValue(), at + "#" + def.getKey(), each));
    }

    @Test
    void everyTypeHasACommentedExampleThatLoads() {
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new AnyPlaceholder());
        ConnectorLoader loader = new ConnectorLoader(environment);
        for (String type : ConnectorSchema.fragments().keySet()) {
            Path example = Path.of("connectors/examples", type + ".yaml");
            assertThat(example).as("the example of type %s", type).exists();
            assertThat(loader.load(example).type()).isEqualTo(type);
        }
    }

    /** Stands in for the environment variables an example refers to, with values of the right shape. */
    private static final class AnyPlaceholder extends EnumerablePropertySource<Object> {

        AnyPlaceholder() {
            super("example-placeholders", new Object());
        }

        @Override
        public String[] getPropertyNames() {
            return new String[0];
        }

        @Override
        public Object getProperty(String name) {
            if (name.endsWith("SECRET")) {
                return "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
            }
            if (name.endsWith("URL")) {
                return "https://example.com/hook";
            }
            return "example-" + name.toLowerCase(java.util.Locale.ROOT);
        }
    }
}
