package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.cartrelay.testing.SharedHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What the hub answers without credentials outside intake: a redirect from {@code /} to the admin page, the JSON
 * schemas, byte for byte as the hub holds them and each resolving its own references, at the address the shipped
 * examples name; nothing else of the admin surfaces.
 */
class PublicPathsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final SharedHub HUB = new SharedHub(hub -> hub.property("cartrelay.admin.password", "s3cret-ops"));

    private static byte[] classpath(String name) throws IOException {
        try (InputStream in = PublicPathsTest.class.getResourceAsStream("/schemas/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void theRootRedirectsToTheAdminPageWhichAsksToSignIn() {
        HttpResponse<String> root = HUB.hub().get("/");

        assertThat(root.statusCode()).isEqualTo(302);
        URI admin =
                HUB.hub().uri("/").resolve(root.headers().firstValue("Location").orElseThrow());
        assertThat(admin).isEqualTo(HUB.hub().uri("/admin/"));
        assertThat(root.body()).isEmpty();
        HttpResponse<String> page = HUB.hub().get(admin.getPath());
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith(AdminSecurity.LOGIN_PAGE));
    }

    @Test
    void theSchemasAreServedWithoutCredentialsAsTheHubHoldsThem() throws IOException {
        for (String name : List.of("connector.schema.json", "canonical-event.schema.json")) {
            HttpResponse<String> response = HUB.hub().get("/schemas/" + name);

            assertThat(response.statusCode()).as(name).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
            assertThat(response.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(classpath(name));
        }
    }

    @Test
    void everyReferenceOfAServedSchemaResolvesWithinIt() throws IOException {
        for (String name : List.of("connector.schema.json", "canonical-event.schema.json")) {
            JsonNode schema = JSON.readTree(HUB.hub().get("/schemas/" + name).body());
            List<String> refs = new ArrayList<>();
            collectRefs(schema, refs);
            for (String ref : refs) {
                assertThat(ref).as(name).startsWith("#/");
                assertThat(schema.at(ref.substring(1)).isMissingNode())
                        .as("%s in %s", ref, name)
                        .isFalse();
            }
        }
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.has("$ref")) {
            refs.add(node.get("$ref").asText());
        }
        node.forEach(child -> collectRefs(child, refs));
    }

    @Test
    void theExamplesNameTheAddressTheHubServes() throws IOException {
        String first =
                Files.readAllLines(Path.of("connectors/examples/webhook.yaml")).get(0);
        URI schema = URI.create(first.substring(first.indexOf("$schema=") + "$schema=".length()));

        assertThat(schema.getPort()).isEqualTo(8080);
        HttpResponse<String> response = HUB.hub().get(schema.getPath());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body().getBytes(StandardCharsets.UTF_8)).isEqualTo(classpath("connector.schema.json"));
    }

    @Test
    void onlyTheTopLevelSchemasAreServedAndTheAdminSurfacesStayGuarded() {
        // the per-type parts refer to definitions they do not hold
        assertThat(HUB.hub().get("/schemas/connectors/email.schema.json").statusCode())
                .isEqualTo(404);
        assertThat(HUB.hub().get("/api/carts").statusCode()).isEqualTo(401);
        assertThat(HUB.hub().get("/actuator/metrics").statusCode()).isEqualTo(401);
        HttpResponse<String> page = HUB.hub().get("/admin/");
        assertThat(page.statusCode()).isEqualTo(302);
        assertThat(page.headers().firstValue("Location"))
                .hasValueSatisfying(location -> assertThat(location).endsWith(AdminSecurity.LOGIN_PAGE));
    }
}
