package org.cartrelay.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.PersonalData;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code DELETE /api/customers?email=} erases every row that holds the address (notices with raw JSON and
 * form-encoded bodies, checkouts, outbound events, deliveries, dead letters, attempts) and answers with the counts;
 * a search of every text column of every table then finds the address in no form, while another buyer's data stays.
 */
class ErasureTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final String ERASED = "Erase.Me+shop@Example.com";
    private static final String KEPT = "keep.me@example.com";

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> {
        wireMock.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(204)));
        // a receiver that echoes the erased address in every rejection, also in the other buyer's attempts
        wireMock.stubFor(post(urlEqualTo("/reject"))
                .willReturn(aResponse()
                        .withStatus(400)
                        .withBody("{\"error\": \"unknown contact erase.me+shop@example.com\"}")));
    });

    private TestHub hub() {
        return TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "1h")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .connector("ok", receiver.webhook("/ok"))
                .connector("reject", receiver.webhook("/reject"))
                .start();
    }

    private static void accept(TestHub hub, String id, String json) {
        HttpResponse<String> response = Notices.post(hub, id, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static HttpResponse<String> erase(TestHub hub, String email, boolean authenticated) {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        hub.uri("/api/customers?email=" + URLEncoder.encode(email, StandardCharsets.UTF_8)))
                .DELETE();
        if (authenticated) {
            request.header("Authorization", AUTH);
        }
        return TestHub.send(request);
    }

    @Test
    void erasureLeavesTheAddressInNoColumnOfAnyTableAndAnswersWithTheCounts() throws Exception {
        try (TestHub hub = hub()) {
            accept(hub, "x-start", Notices.checkoutStarted("x-1", ERASED, "40.00"));
            accept(hub, "y-start", Notices.checkoutStarted("y-1", KEPT, "50.00"));
            hub.clock().advance(Duration.ofHours(2));
            // each abandoned event: delivered to ok, dead at once at reject (400 with the address in the answer)
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.count("select count(*) from delivery where status in ('delivered', 'dead')") == 4);
            accept(hub, "x-order", """
                    {"type": "order.completed", "source": "test-shop", "sourceEventId": "x-order",
                     "checkout": {"id": "cart-x-1", "currency": "EUR", "total": "40.00"}, "order": {"id": "o-x"},
                     "customer": {"email": "%s"}}""".formatted(ERASED));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.count("select count(*) from delivery where status in ('delivered', 'dead')") == 6);
            // a Digistore24 entry: the raw body holds the address form-encoded (erase.me%2Bshop%40example.com)
            assertThat(hub.postForm(
                                    "/ipn/digistore24",
                                    Digistore24Forms.from(
                                            "digistore24/order-form-entry.form",
                                            Map.of("order_id", "DSERASE1", "email", ERASED)))
                            .body())
                    .isEqualTo("OK");
            assertThat(PersonalData.find(receiver.database(), ERASED)).isNotEmpty();
            assertThat(hub.count(
                            "select count(*) from notice where position(? in raw_body) > 0",
                            "Erase.Me%2Bshop%40Example.com"))
                    .isEqualTo(1);
            long keptNotices = hub.count("select count(*) from notice where email = ?", KEPT);

            // refused before anything else: without credentials it is asked to sign in
            HttpResponse<String> anonymous = erase(hub, ERASED, false);
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Basic realm=\"CartRelay\"");
            HttpResponse<String> response = erase(hub, ERASED, true);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            JsonNode counts = JSON.readTree(response.body());
            assertThat(counts.get("notices").asInt()).isEqualTo(3);
            assertThat(counts.get("checkouts").asInt()).isEqualTo(2);
            assertThat(counts.get("outboundEvents").asInt()).isEqualTo(2);
            assertThat(counts.get("deliveries").asInt()).isEqualTo(2);
            assertThat(counts.get("deadLetters").asInt()).isEqualTo(2);
            assertThat(counts.get("deliveryAttempts").asInt()).isEqualTo(4);
            assertThat(counts.get("redacted").asInt()).isGreaterThanOrEqualTo(1); // the other buyer's rejection
            assertThat(counts.get("other").asInt()).isZero();

            assertThat(PersonalData.tables(receiver.database()))
                    .contains(
                            "notice",
                            "checkout",
                            "outbound_event",
                            "delivery",
                            "delivery_attempt",
                            "connector_state",
                            "coupon_code");
            assertThat(PersonalData.find(receiver.database(), ERASED)).isEmpty();
            assertThat(PersonalData.find(receiver.database(), KEPT)).isNotEmpty();
            assertThat(hub.count("select count(*) from notice where email = ?", KEPT))
                    .isEqualTo(keptNotices);
            assertThat(hub.count("select count(*) from checkout where email = ?", KEPT))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from outbound_event where email = ?", KEPT))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from delivery")).isEqualTo(2);
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(2);

            // erasing again finds nothing
            JsonNode again =
                    JSON.readTree(erase(hub, ERASED.toLowerCase(), true).body());
            assertThat(again.get("notices").asInt()
                            + again.get("checkouts").asInt()
                            + again.get("outboundEvents").asInt())
                    .isZero();
        }
    }

    @Test
    void erasureWithoutAValidAddressIsRefusedWithTheParameterNamed() throws Exception {
        try (TestHub hub = hub()) {
            HttpResponse<String> missing = TestHub.send(HttpRequest.newBuilder(hub.uri("/api/customers"))
                    .header("Authorization", AUTH)
                    .DELETE());
            assertThat(missing.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(missing.body()).get("detail").asText()).contains("'email' is required");
            HttpResponse<String> invalid = erase(hub, "not-an-address", true);
            assertThat(invalid.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(invalid.body()).get("detail").asText()).contains("'email' must be an email");
        }
    }
}
