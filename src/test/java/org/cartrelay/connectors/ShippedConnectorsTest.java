package org.cartrelay.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

/**
 * What ships sends no buyer's data anywhere by default: the home's {@code connectors/} folder holds only
 * {@code examples/} and {@code templates/} (which the hub never loads), a hub started on a copy of the shipped home
 * has no connector at all, the demo is off, and the shipped Camel routes only log or call other routes.
 */
class ShippedConnectorsTest {

    private static final Pattern ENDPOINT =
            Pattern.compile("(?m)^\\s*-?\\s*(?:uri|to|toD|wireTap|enrich):\\s*\"?([^\\s\"]+)");

    @Test
    void theShippedConnectorsFolderHoldsOnlyExamplesAndTemplates() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("connectors"))) {
            assertThat(entries.map(path -> path.getFileName().toString())
                            .sorted()
                            .toList())
                    .containsExactly("examples", "templates");
        }
    }

    /** An editor finds the schema from the example and from its copy in any home's connectors/ alike. */
    @Test
    void everyExampleBeginsWithTheSchemaLineOfALocalHub() throws IOException {
        try (Stream<Path> examples = Files.list(Path.of("connectors/examples"))) {
            List<Path> files = examples.sorted().toList();
            assertThat(files).hasSizeGreaterThanOrEqualTo(10);
            for (Path example : files) {
                assertThat(Files.readAllLines(example).get(0))
                        .as(example.toString())
                        .isEqualTo(
                                "# yaml-language-server: $schema=http://localhost:8080/schemas/connector.schema.json");
            }
        }
    }

    @Test
    void theShippedRoutesOnlyLogOrCallOtherRoutes() throws IOException {
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route :
                    routes.filter(path -> path.toString().endsWith(".yaml")).toList()) {
                Matcher endpoints = ENDPOINT.matcher(Files.readString(route));
                while (endpoints.find()) {
                    assertThat(endpoints.group(1)).as(route.toString()).matches("(direct|log|seda):.*");
                }
            }
        }
    }

    @Test
    void aHubOnTheShippedHomeHasNoConnectorAndNoDemo() throws IOException {
        Path home = Files.createTempDirectory("cartrelay-shipped");
        for (String folder : List.of("config", "connectors", "routes")) {
            copy(Path.of(folder), home.resolve(folder));
        }
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .home(home)
                        .property("cartrelay.admin.password", "s3cret-ops")
                        .start()) {
            assertThat(hub.bean(ConnectorRegistry.class).all()).isEmpty();
            assertThat(TestHub.send(HttpRequest.newBuilder(hub.uri("/demo/echo"))
                                    .header(
                                            "Authorization",
                                            "Basic "
                                                    + Base64.getEncoder()
                                                            .encodeToString("admin:s3cret-ops"
                                                                    .getBytes(StandardCharsets.UTF_8))))
                            .statusCode())
                    .isEqualTo(404);
        }
    }

    private static void copy(Path from, Path to) {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path source : tree.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
