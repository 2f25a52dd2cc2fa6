package org.cartrelay.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.StandardEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Docs, examples and the shipped schema cannot drift from the schema the loader uses: every type has a page in
 * {@code docs/connectors/} whose key table names exactly the type's keys, a commented example in
 * {@code connectors/examples/} that loads, and {@code schemas/connector.schema.json} is the join of the parts.
 * After changing a type's schema, rewrite the shipped file with
 * {@code ./mvnw test -Dtest=ConnectorSchemaTest -Dcartrelay.schema.write=true}.
 */
class ConnectorSchemaTest {

    private static final Path SHIPPED = Path.of("src/main/resources/schemas/connector.schema.json");
    private static final Pattern KEY_ROW = Pattern.compile("(?m)^\\| `([A-Za-z0-9_.\\[\\]]+)` \\|");

    @Test
    void theShippedSchemaIsTheJoinOfTheCommonKeysAndEveryTypesKeys() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode joined = ConnectorSchema.joined();
        if (Boolean.getBoolean("cartrelay.schema.write")) {
            ConnectorSchema.main(new String[] {SHIPPED.toString()});
        }
        assertThat(json.readTree(SHIPPED.toFile()))
                .as("%s is out of date; rewrite it with -Dcartrelay.schema.write=true", SHIPPED)
                .isEqualTo(joined);
        assertThat(joined.path("properties").path("type").path("enum"))
                .extracting(JsonNode::asText).containsAll(ConnectorSchema.fragments().keySet());
    }

    @Test
    void everyTypeHasAPageWhoseKeyTableMatchesItsSchema() throws IOException {
        Set<String> common = keys(ConnectorSchema.joined().get("properties"), "");
        for (Map.Entry<String, ObjectNode> type : ConnectorSchema.fragments().entrySet()) {
            Path page = Path.of("docs/connectors", type.getKey() + ".md");
            assertThat(page).as("the page of type %s", type.getKey()).exists();
            Set<String> documented = new TreeSet<>();
            Matcher row = KEY_ROW.matcher(Files.readString(page));
            while (row.find()) {
                documented.add(row.group(1));
            }
            Set<String> own = keys(type.getValue().get("properties"), "");
            own.removeAll(Set.of("endpoint", "requireConsent", "auth")); // common keys a type may re-default
            assertThat(documented).as("keys documented in %s", page).containsAll(own);
            for (String key : documented) {
                assertThat(own.contains(key) || common.contains(key) || common.contains(key.replaceFirst("\\..*", "")))
                        .as("%s documents `%s`, which the schema of type %s does not have", page, key, type.getKey())
                        .isTrue();
            }
        }
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

    /** Every key and dotted sub-key under a schema's {@code properties}. */
    private static Set<String> keys(JsonNode properties, String prefix) {
        Set<String> keys = new LinkedHashSet<>();
        if (properties != null) {
            properties.fields().forEachRemaining(field -> {
                keys.add(prefix + field.getKey());
                keys.addAll(keys(field.getValue().get("properties"), prefix + field.getKey() + "."));
            });
        }
        return keys;
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
