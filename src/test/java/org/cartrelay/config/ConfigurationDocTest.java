package org.cartrelay.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code docs/configuration.md} and the configuration metadata the build writes from {@link CartRelayProperties},
 * the sources' properties and the additional metadata cannot drift apart: every {@code cartrelay.*} property has a
 * row in the doc's table whose Default column shows the metadata's default (in backticks) where it has one, and the
 * doc names no {@code cartrelay.*} key the metadata lacks. A row's first column may name several keys, and a
 * segment in angle brackets ({@code cartrelay.sources.<source>.consent-default}) stands for any one segment.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("docs/configuration.md");
    private static final Path METADATA = Path.of("target/classes/META-INF/spring-configuration-metadata.json");
    /** A key as the doc writes it; not the tail of a Java package such as {@code org.cartrelay.config}. */
    private static final Pattern KEY = Pattern.compile("(?<![\\w.])cartrelay\\.[a-z0-9<>.-]*[a-z0-9>]");

    /** A segment that stands for any one: {@code <source>}. */
    private static final Pattern ANY_SEGMENT = Pattern.compile("<[^>]+>");

    /** One row of the doc's table: the keys of its first column and its Default column. */
    private record Row(List<String> keys, String defaults) {

        boolean names(String property) {
            return keys.stream().anyMatch(key -> pattern(key).matcher(property).matches());
        }

        boolean namesExactly(String property) {
            return keys.contains(property);
        }
    }

    private static List<Row> rows() throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String line : Files.readAllLines(DOC)) {
            if (!line.startsWith("| `cartrelay.")) {
                continue;
            }
            String[] cells = line.split("\\|");
            List<String> keys = new ArrayList<>();
            Matcher key = KEY.matcher(cells[1]);
            while (key.find()) {
                keys.add(key.group());
            }
            rows.add(new Row(keys, cells[2].strip()));
        }
        return rows;
    }

    /** The key as a pattern: {@code <name>} matches one segment, the rest literally. */
    private static Pattern pattern(String key) {
        StringBuilder regex = new StringBuilder();
        Matcher any = ANY_SEGMENT.matcher(key);
        int last = 0;
        while (any.find()) {
            regex.append(Pattern.quote(key.substring(last, any.start()))).append("[a-z0-9-]+");
            last = any.end();
        }
        return Pattern.compile(regex.append(Pattern.quote(key.substring(last))).toString());
    }

    private static List<JsonNode> metadata(String section) throws IOException {
        assertThat(METADATA)
                .as("the configuration metadata; the build's compile step writes it")
                .exists();
        JsonNode entries = new ObjectMapper().readTree(METADATA.toFile()).path(section);
        return StreamSupport.stream(entries.spliterator(), false)
                .filter(entry -> entry.path("name").asText().startsWith("cartrelay."))
                .toList();
    }

    /** A default as the doc writes it: {@code 30m}, {@code false}, {@code 50} (not 50.0), {@code [a, b]}. */
    private static String written(JsonNode value) {
        if (value.isArray()) {
            return StreamSupport.stream(value.spliterator(), false)
                    .map(ConfigurationDocTest::written)
                    .collect(Collectors.joining(", ", "[", "]"));
        }
        if (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0) {
            return value.decimalValue().toBigInteger().toString();
        }
        return value.asText();
    }

    @Test
    void everyPropertyOfTheMetadataHasARowWithItsDefault() throws IOException {
        List<Row> rows = rows();
        List<String> problems = new ArrayList<>();
        for (JsonNode property : metadata("properties")) {
            String name = property.path("name").asText();
            List<Row> exact =
                    rows.stream().filter(row -> row.namesExactly(name)).toList();
            List<Row> matching = exact.isEmpty()
                    ? rows.stream().filter(row -> row.names(name)).toList()
                    : exact;
            if (matching.isEmpty()) {
                problems.add(name + " has no row");
            } else if (property.has("defaultValue")) {
                String expected = "`" + written(property.get("defaultValue")) + "`";
                if (matching.stream().noneMatch(row -> row.defaults().contains(expected))) {
                    problems.add(name + " defaults to " + expected + ", but its row says "
                            + matching.get(0).defaults());
                }
            }
        }
        assertThat(problems).as("%s against %s", DOC, METADATA).isEmpty();
    }

    @Test
    void theDocNamesNoKeyTheMetadataLacks() throws IOException {
        List<String> known = new ArrayList<>();
        metadata("properties")
                .forEach(property -> known.add(property.path("name").asText()));
        metadata("groups").forEach(group -> known.add(group.path("name").asText()));
        List<String> unknown = new ArrayList<>();
        Matcher key = KEY.matcher(Files.readString(DOC));
        while (key.find()) {
            Pattern named = pattern(key.group());
            // a key in angle brackets names a group of keys, each of which the metadata must have
            if (known.stream().noneMatch(name -> named.matcher(name).matches())) {
                unknown.add(key.group());
            }
        }
        assertThat(unknown).as("keys in %s that %s lacks", DOC, METADATA).isEmpty();
    }
}
