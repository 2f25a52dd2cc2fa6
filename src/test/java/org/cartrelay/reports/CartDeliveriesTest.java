package org.cartrelay.reports;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Each cart of {@code /api/carts} says what became of it at every connector (sent, pending, suppressed with the
 * policy's reason, dead with the receiver's refusal) and names its products beside their ids: an EU buyer without
 * consent is suppressed everywhere, a US buyer without consent only at the connector that requires consent.
 */
class CartDeliveriesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> {
        wireMock.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200)));
        wireMock.stubFor(post(urlEqualTo("/bad")).willReturn(aResponse().withStatus(400)));
    });

    private TestHub hub;

    @BeforeEach
    void start() {
        hub = TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .connector("crm", receiver.webhook("/ok"))
                .connector("mail", receiver.webhook("/ok") + "requireConsent: true\n")
                .connector("bad", receiver.webhook("/bad"))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        Teardown.inOrder(hub);
    }

    private void started(String key, String country) {
        String json = """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "19.00",
                              "items": [{"productId": "p-tea", "name": "Green tea", "quantity": 1,
                                         "unitPrice": "15.00"},
                                        {"productId": "p-cup", "quantity": 1, "unitPrice": "4.00"}]},
                 "customer": {"email": "%s@example.com", "address": {"country": "%s"}},
                 "consent": {"newsletter": false}}
                """.formatted(key, key, key, country);
        HttpResponse<String> response = Notices.post(hub, key, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private JsonNode carts() throws Exception {
        HttpResponse<String> response =
                TestHub.send(HttpRequest.newBuilder(hub.uri("/api/carts")).header("Authorization", AUTH));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static Map<String, JsonNode> byConnector(JsonNode cart) {
        Map<String, JsonNode> deliveries = new HashMap<>();
        cart.get("deliveries").forEach(d -> deliveries.put(d.get("connector").asText(), d));
        return deliveries;
    }

    @Test
    void eachCartSaysWhatHappenedAtEveryConnectorAndNamesItsProducts() throws Exception {
        started("eu", "DE");
        started("us", "US");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.count("select count(*) from delivery where status in ('pending')") == 0
                        && hub.count("select count(*) from delivery") == 6);

        Map<String, JsonNode> carts = new HashMap<>();
        carts().get("items").forEach(c -> carts.put(c.get("checkoutId").asText(), c));

        JsonNode eu = carts.get("cart-eu");
        assertThat(eu.get("items").toString())
                .isEqualTo(
                        "[{\"productId\":\"p-tea\",\"name\":\"Green tea\"},{\"productId\":\"p-cup\",\"name\":null}]");
        Map<String, JsonNode> euDeliveries = byConnector(eu);
        assertThat(euDeliveries).containsOnlyKeys("crm", "mail", "bad");
        euDeliveries.values().forEach(d -> {
            assertThat(d.get("event").asText()).isEqualTo("checkout.abandoned");
            assertThat(d.get("status").asText()).isEqualTo("suppressed");
            assertThat(d.get("reason").asText()).startsWith("The buyer is in an EU country and gave no newsletter");
        });

        Map<String, JsonNode> us = byConnector(carts.get("cart-us"));
        assertThat(us.get("crm").get("status").asText()).isEqualTo("delivered");
        assertThat(us.get("crm").get("reason").isNull()).isTrue();
        assertThat(us.get("crm").get("attempts").asInt()).isEqualTo(1);
        assertThat(us.get("mail").get("status").asText()).isEqualTo("suppressed");
        assertThat(us.get("mail").get("reason").asText()).contains("requireConsent");
        assertThat(us.get("bad").get("status").asText()).isEqualTo("dead");
        assertThat(us.get("bad").get("reason").asText()).contains("HTTP 400");
    }
}
