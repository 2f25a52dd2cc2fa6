package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.cartrelay.connectors.ConnectorRegistry;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The demo receiver and its connector exist only with {@code cartrelay.demo.enabled=true}; listing what it received
 * needs the admin's credentials, and it keeps only what the demo connector signed, with the buyer's contact data
 * masked (also inside a resume link), and forgets a buyer on erasure.
 */
class DemoEchoTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    private static TestHub.Builder hub(TestDatabase database) {
        return TestHub.on(database)
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .property("cartrelay.demo.secret", "whsec_ZGVtby1zZWNyZXQtbm90LWZvci1wcm9kdWN0aW9u")
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.recovery.link-template", "https://shop.example.com/resume?email={email}");
    }

    private static HttpResponse<String> get(TestHub hub, String path, String auth) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(path)).GET();
        if (auth != null) {
            request.header("Authorization", auth);
        }
        return TestHub.send(request);
    }

    @Test
    void offByDefaultWithoutItsConnector() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = hub(database).start()) {
            assertThat(hub.bean(ConnectorRegistry.class).get("demo-echo")).isEmpty();
            assertThat(get(hub, "/demo/echo", AUTH).statusCode()).isEqualTo(404);
            assertThat(hub.post("/demo/echo", "{}", Map.of("Content-Type", "application/json"))
                            .statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void enabledItReceivesTheDemoConnectorsEventsAndListsThemOnlyToTheAdmin() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = hub(database)
                        .property("cartrelay.demo.enabled", "true")
                        .property("server.port", port)
                        .start()) {
            assertThat(hub.bean(ConnectorRegistry.class).get("demo-echo")).isPresent();

            HttpResponse<String> anonymous = get(hub, "/demo/echo", null);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(challenge -> assertThat(challenge).startsWith("Basic"));
            assertThat(anonymous.body()).doesNotContain("@");

            HttpResponse<String> unsigned = hub.post(
                    "/demo/echo",
                    "{\"forged\": true}",
                    Map.of(
                            "Content-Type",
                            "application/json",
                            "webhook-id",
                            "msg_forged",
                            "webhook-timestamp",
                            "1",
                            "webhook-signature",
                            "v1,AAAA"));
            assertThat(unsigned.statusCode()).isEqualTo(401);

            Notices.post(hub, "demo-1", """
                    {"type": "checkout.started", "source": "test-shop", "sourceEventId": "demo-1",
                     "checkout": {"id": "cart-demo-1", "currency": "EUR", "total": "19.00",
                                  "items": [{"productId": "p-1", "name": "Tea", "quantity": 1, "unitPrice": "19.00"}]},
                     "customer": {"email": "Demo.Buyer+x@Example.com", "firstName": "Dorothea", "lastName": "Brandauer",
                                  "phone": "+49 30 1234 5678",
                                  "address": {"street": "Lindenallee 17", "city": "Berlin", "zip": "10115",
                                              "country": "DE"}},
                     "consent": {"newsletter": true}}
                    """);
            JsonNode listed = await().atMost(Duration.ofSeconds(20))
                    .until(() -> JSON.readTree(get(hub, "/demo/echo", AUTH).body()), list -> list.size() == 1);
            JsonNode arrival = listed.get(0);
            assertThat(arrival.get("webhookId").asText()).startsWith("evt_");
            JsonNode event = JSON.readTree(arrival.get("body").asText());
            assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
            assertThat(event.get("id").asText())
                    .isEqualTo(arrival.get("webhookId").asText());
            assertThat(listed.toString()).doesNotContain("forged");

            JsonNode customer = event.get("customer");
            assertThat(customer.get("email").asText()).isEqualTo("D***@Example.com");
            assertThat(customer.get("phone").asText()).isEqualTo("***78");
            assertThat(customer.get("firstName").asText()).isEqualTo("D***");
            assertThat(customer.get("lastName").asText()).isEqualTo("B***");
            assertThat(customer.get("address").get("street").asText()).isEqualTo("***");
            assertThat(customer.get("address").get("zip").asText()).isEqualTo("***");
            assertThat(event.get("abandonment").get("resumeUrl").asText())
                    .isEqualTo("https://shop.example.com/resume?email=D***%40Example.com");
            assertThat(listed.toString().toLowerCase(java.util.Locale.ROOT))
                    .doesNotContain(
                            "demo.buyer", "demo.buyer%2bx", "+49 30 1234 5678", "dorothea", "brandauer", "lindenallee");

            Notices.post(hub, "demo-2", Notices.checkoutStarted("demo-2", "other-buyer@example.com", "9.00"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> JSON.readTree(get(hub, "/demo/echo", AUTH).body()), list -> list.size() == 2);
            HttpResponse<String> erased =
                    TestHub.send(HttpRequest.newBuilder(hub.uri("/api/customers?email=demo.buyer%2Bx%40example.com"))
                            .DELETE()
                            .header("Authorization", AUTH));
            assertThat(erased.statusCode()).isEqualTo(200);
            JsonNode left = JSON.readTree(get(hub, "/demo/echo", AUTH).body());
            assertThat(left).hasSize(1);
            assertThat(JSON.readTree(left.get(0).get("body").asText())
                            .get("customer")
                            .get("email")
                            .asText())
                    .isEqualTo("o***@example.com");
        }
    }
}
