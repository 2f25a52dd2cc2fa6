package org.cartrelay.connectors.klaviyo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cartrelay.connectors.http.VendorEvents.json;

import java.time.Duration;
import java.util.List;

import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.Throttled;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The klaviyo connector against a WireMock Klaviyo: the documented {@code POST /api/events} request (auth scheme,
 * revision, JSON:API content type, exact body) for both events, configurable metric names, the consent default, the
 * 429 branch with {@code Retry-After}, and the whole path from a shop's notice. Each connector has its own base path
 * and product id, so a test's events reach only the connector it is about.
 */
class KlaviyoConnectorTest {

    @RegisterExtension
    static final VendorHub KLAVIYO = VendorHub.type("klaviyo", """
            apiKey: ${KLAVIYO_API_KEY}
            requireConsent: false
            retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
            """)
            .stubs(klaviyo -> klaviyo.stubFor(
                    post(urlMatching("/.*/api/events")).willReturn(aResponse().withStatus(202))))
            .property("KLAVIYO_API_KEY", "pk_test_0123456789")
            .connector("events", "p-events", "")
            .connector("named", "p-named", """
                    revision: 2024-10-15
                    metrics: {abandoned: Cart Left, recovered: Cart Bought}""")
            .connector(
                    "limited",
                    "p-limited",
                    "retry: {maxAttempts: 5, initialDelay: 1s, multiplier: 2, maxDelay: 10m, jitter: 0}")
            // the consent default: the file does not say requireConsent
            .connector(
                    "consent",
                    klaviyo -> klaviyo.file("consent", "p-consent", "").replace("requireConsent: false\n", ""))
            .connector("flow", "p-flow", "");

    private final TestHub hub = KLAVIYO.hub();
    private final WireMockServer klaviyo = KLAVIYO.vendor();

    private List<LoggedRequest> requests(String name) {
        return klaviyo.findAll(postRequestedFor(urlEqualTo("/" + name + "/api/events")));
    }

    private LoggedRequest awaitRequest(String name, String eventId) {
        return VendorEvents.awaitRequest(() -> requests(name), eventId);
    }

    @Test
    void anAbandonedCheckoutIsPostedAsACheckoutAbandonedEventWithTheDocumentedRequest() throws Exception {
        OutboundEvent event = VendorEvents.publish(
                hub,
                VendorEvents.abandoned(
                        "kla-1",
                        "p-events",
                        "49.00",
                        "high",
                        List.of("repeat-abandoner", "abandoned-product-p-events"),
                        "COMEBACK10"));

        LoggedRequest request = awaitRequest("events", event.id());
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getHeader("Authorization")).isEqualTo("Klaviyo-API-Key pk_test_0123456789");
        assertThat(request.getHeader("revision")).isEqualTo("2025-04-15");
        assertThat(request.getHeader("Content-Type")).startsWith("application/vnd.api+json");
        assertThat(request.getHeader("Accept")).isEqualTo("application/vnd.api+json");
        assertThat(json(request.getBodyAsString())).isEqualTo(json("""
                {"data": {"type": "event", "attributes": {
                  "properties": {
                    "checkout_id": "cart-kla-1", "source": "test-shop",
                    "items": [{"product_id": "p-events", "name": "Basic Plan", "quantity": 1, "price": 49.00}],
                    "item_names": ["Basic Plan"],
                    "resume_url": "https://shop.example.com/resume/kla-1?coupon=COMEBACK10",
                    "coupon": "COMEBACK10", "value_tier": "high",
                    "segments": ["repeat-abandoner", "abandoned-product-p-events"]},
                  "value": 49.00, "value_currency": "USD",
                  "unique_id": "%s",
                  "time": "2026-08-18T09:11:48Z",
                  "metric": {"data": {"type": "metric", "attributes": {"name": "Checkout Abandoned"}}},
                  "profile": {"data": {"type": "profile", "attributes": {
                    "email": "kla-1@example.com", "first_name": "Test", "last_name": "Kauf",
                    "phone_number": "+15551234567"}}}}}}
                """.formatted(event.id())));
        // nothing of the hub's internal exchange headers leaks to the vendor
        assertThat(request.getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        VendorEvents.awaitDelivered(hub, "events", event.id());
    }

    @Test
    void aRecoveryIsPostedAsACheckoutRecoveredEventWithThePaidAmount() throws Exception {
        OutboundEvent abandoned = VendorEvents.abandoned("kla-2", "p-events", "49.00", null, List.of(), null);
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "44.10"));

        JsonNode attributes =
                json(awaitRequest("events", recovered.id()).getBodyAsString()).at("/data/attributes");
        assertThat(attributes.at("/metric/data/attributes/name").asText()).isEqualTo("Checkout Recovered");
        assertThat(attributes.get("value").decimalValue()).isEqualByComparingTo("44.10");
        assertThat(attributes.get("value_currency").asText()).isEqualTo("USD");
        assertThat(attributes.get("unique_id").asText()).isEqualTo(recovered.id());
        assertThat(attributes.get("time").asText()).isEqualTo("2026-08-18T10:00:00Z");
        assertThat(attributes.at("/properties/order_id").asText()).isEqualTo("ord-cart-kla-2");
        // no tier given: a normal cart
        assertThat(attributes.at("/properties/value_tier").asText()).isEqualTo("normal");
        assertThat(attributes.at("/profile/data/attributes/email").asText()).isEqualTo("kla-2@example.com");
        VendorEvents.awaitDelivered(hub, "events", recovered.id());
    }

    @Test
    void metricNamesAndRevisionComeFromTheFile() throws Exception {
        OutboundEvent abandoned =
                VendorEvents.publish(hub, VendorEvents.abandoned("kla-3", "p-named", "20.00", null, List.of(), null));
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "20.00"));

        LoggedRequest first = awaitRequest("named", abandoned.id());
        LoggedRequest second = awaitRequest("named", recovered.id());
        assertThat(first.getHeader("revision")).isEqualTo("2024-10-15");
        assertThat(json(first.getBodyAsString())
                        .at("/data/attributes/metric/data/attributes/name")
                        .asText())
                .isEqualTo("Cart Left");
        assertThat(json(second.getBodyAsString())
                        .at("/data/attributes/metric/data/attributes/name")
                        .asText())
                .isEqualTo("Cart Bought");
    }

    @Test
    void a429IsRetriedAfterTheRetryAfterKlaviyoSends() {
        klaviyo.stubFor(post(urlEqualTo("/limited/api/events"))
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "30")
                        .withBody("{\"errors\":[{\"status\":429,\"code\":\"throttled\"}]}"))
                .willSetStateTo("open"));
        klaviyo.stubFor(post(urlEqualTo("/limited/api/events"))
                .inScenario("limited")
                .whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(202)));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("kla-4", "p-limited", "49.00", null, List.of(), null));

        Throttled throttled = VendorEvents.awaitThrottled(hub, "limited", event.id());
        // the backoff alone would wait 1 s; Klaviyo asked for 30 s
        throttled.assertWaits(Duration.ofSeconds(30));

        hub.clock().advance(Duration.ofSeconds(36));
        VendorEvents.awaitDelivered(hub, "limited", event.id());
        assertThat(requests("limited")).hasSize(2);
        assertThat(requests("limited"))
                .extracting(r -> r.getBodyAsString().contains("\"unique_id\":\"" + event.id() + "\""))
                .containsOnly(true);
    }

    @Test
    void withoutConsentNothingIsSentByDefault() {
        OutboundEvent given = VendorEvents.abandoned("kla-5", "p-consent", "49.00", null, List.of(), null);
        OutboundEvent withheld = new OutboundEvent(
                given.id(),
                given.type(),
                given.source(),
                given.sourceEventId(),
                given.occurredAt(),
                given.checkout(),
                given.customer(),
                null,
                null,
                given.abandonment(),
                null);
        VendorEvents.publish(hub, withheld);
        OutboundEvent consented =
                VendorEvents.publish(hub, VendorEvents.abandoned("kla-6", "p-consent", "49.00", null, List.of(), null));

        VendorEvents.awaitDelivered(hub, "consent", consented.id());
        assertThat(VendorEvents.delivery(hub, "consent", withheld.id()).status())
                .isEqualTo("suppressed");
        assertThat(requests("consent")).hasSize(1);
    }

    @Test
    void aShopsNoticeEndsAsAKlaviyoEventWithTheOutboundEventIdAsUniqueId() throws Exception {
        Checkouts.start(hub, "kla-flow", "p-flow", "35.50", "DE");

        await().atMost(Duration.ofSeconds(20)).until(() -> requests("flow").size() == 1);
        JsonNode attributes = json(requests("flow").get(0).getBodyAsString()).at("/data/attributes");
        String eventId = hub.jdbc()
                .sql("select id from outbound_event where payload like ?")
                .param("%cart-kla-flow%")
                .query(String.class)
                .single();
        assertThat(attributes.get("unique_id").asText()).isEqualTo(eventId);
        assertThat(attributes.at("/metric/data/attributes/name").asText()).isEqualTo("Checkout Abandoned");
        assertThat(attributes.get("value").decimalValue()).isEqualByComparingTo("35.50");
        assertThat(attributes.get("value_currency").asText()).isEqualTo("EUR");
        assertThat(attributes.at("/profile/data/attributes/email").asText()).isEqualTo("kla-flow@example.com");
        assertThat(attributes.at("/properties/items/0/product_id").asText()).isEqualTo("p-flow");
        VendorEvents.awaitDelivered(hub, "flow", eventId);
    }
}
