package org.cartrelay.connectors.hubspot;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.cartrelay.connectors.http.VendorEvents.json;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.AttemptRow;
import org.cartrelay.connectors.http.VendorEvents.Throttled;
import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.StandardEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The hubspot connector against a WireMock HubSpot: the documented contacts batch upsert (bearer token, exact body)
 * for an abandoned and a recovered cart, property names from the file, HubSpot's 429 {@code RATE_LIMIT} answer
 * slowing the connector down, a file without the token refused, and the whole path from a shop's notice. A 207
 * Multi-Status whose {@code errors} refuse the contact: dead at once with HubSpot's message, throttled for
 * {@code RATE_LIMITS}, retried for HubSpot's own trouble.
 */
class HubSpotConnectorTest {

    private static final String UPSERT = "/crm/v3/objects/contacts/batch/upsert";

    @RegisterExtension
    static final VendorHub HUBSPOT = VendorHub.type("hubspot", """
            auth: {bearer: "${HUBSPOT_TOKEN}"}
            retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
            """)
            .stubs(hubspot -> hubspot.stubFor(post(urlMatching("/.*" + UPSERT))
                    .willReturn(aResponse()
                            .withStatus(200)
                            .withHeader("Content-Type", "application/json")
                            .withBody("{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"512\",\"properties\":{}}]}"))))
            .property("HUBSPOT_TOKEN", "pat-na1-0123")
            .connector("crm", "p-crm", "")
            .connector("mapped", "p-mapped", """
                    properties: {products: cart_items, status: cart_state, coupon: cart_coupon, phone: mobilephone}""")
            .connector(
                    "limited",
                    "p-limited",
                    "retry: {maxAttempts: 5, initialDelay: 20s, multiplier: 2, maxDelay: 10m, jitter: 0}")
            .connector("flow", "p-flow", "")
            .connector("refused", "p-refused", "")
            .connector("slowed", "p-slowed", "")
            .connector("troubled", "p-troubled", "");

    private final TestHub hub = HUBSPOT.hub();
    private final WireMockServer hubspot = HUBSPOT.vendor();

    private List<LoggedRequest> requests(String name) {
        return hubspot.findAll(postRequestedFor(urlEqualTo("/" + name + UPSERT)));
    }

    private LoggedRequest awaitRequest(String name, String text) {
        return VendorEvents.awaitRequest(() -> requests(name), text);
    }

    @Test
    void anAbandonedCartUpsertsTheContactByEmailWithTheCartProperties() throws Exception {
        OutboundEvent event = VendorEvents.publish(
                hub,
                VendorEvents.abandoned(
                        "hub-1", "p-crm", "49.00", "high", List.of("abandoned-product-p-crm"), "COMEBACK10"));

        LoggedRequest request = awaitRequest("crm", "hub-1@example.com");
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer pat-na1-0123");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(json(request.getBodyAsString())).isEqualTo(json("""
                {"inputs": [{"id": "hub-1@example.com", "idProperty": "email", "properties": {
                  "email": "hub-1@example.com", "firstname": "Test", "lastname": "Kauf", "phone": "+15551234567",
                  "abandoned_cart_products": "Basic Plan", "abandoned_cart_value": "49.00",
                  "abandoned_cart_currency": "USD",
                  "abandoned_cart_url": "https://shop.example.com/resume/hub-1?coupon=COMEBACK10",
                  "abandoned_cart_status": "abandoned cart"}}]}
                """));
        assertThat(request.getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        VendorEvents.awaitDelivered(hub, "crm", event.id());
    }

    @Test
    void aRecoveryUpsertsTheSameContactWithStatusRecoveredAndTheAmountPaid() throws Exception {
        OutboundEvent abandoned = VendorEvents.abandoned("hub-2", "p-crm", "49.00", null, List.of(), null);
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "39.20"));

        LoggedRequest request = awaitRequest("crm", "hub-2@example.com");
        JsonNode input = json(request.getBodyAsString()).get("inputs").get(0);
        assertThat(input.get("id").asText()).isEqualTo("hub-2@example.com");
        assertThat(input.get("idProperty").asText()).isEqualTo("email");
        assertThat(input.at("/properties/abandoned_cart_status").asText()).isEqualTo("recovered");
        assertThat(input.at("/properties/abandoned_cart_value").asText()).isEqualTo("39.20");
        assertThat(input.at("/properties/abandoned_cart_products").asText()).isEqualTo("Basic Plan");
        VendorEvents.awaitDelivered(hub, "crm", recovered.id());
    }

    @Test
    void propertyNamesComeFromTheFileAndUnmappedOptionalFieldsAreNotSent() throws Exception {
        OutboundEvent event = VendorEvents.publish(
                hub, VendorEvents.abandoned("hub-3", "p-mapped", "15.00", null, List.of(), "SAVE5"));

        JsonNode properties = json(awaitRequest("mapped", "hub-3@example.com").getBodyAsString())
                .at("/inputs/0/properties");
        assertThat(properties.get("cart_items").asText()).isEqualTo("Basic Plan");
        assertThat(properties.get("cart_state").asText()).isEqualTo("abandoned cart");
        assertThat(properties.get("cart_coupon").asText()).isEqualTo("SAVE5");
        assertThat(properties.get("mobilephone").asText()).isEqualTo("+15551234567");
        // defaults still apply to the fields not mapped
        assertThat(properties.get("abandoned_cart_value").asText()).isEqualTo("15.00");
        assertThat(properties.has("abandoned_cart_products")).isFalse();
        assertThat(properties.has("abandoned_cart_status")).isFalse();
        assertThat(properties.has("phone")).isFalse();
        VendorEvents.awaitDelivered(hub, "mapped", event.id());
    }

    @Test
    void hubspotsRateLimitAnswerMakesTheConnectorWaitItsDefaultWait() {
        hubspot.stubFor(post(urlEqualTo("/limited" + UPSERT))
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Content-Type", "application/json")
                        .withBody(
                                "{\"status\":\"error\",\"message\":\"You have reached your ten_secondly_rolling limit.\","
                                        + "\"errorType\":\"RATE_LIMIT\",\"policyName\":\"TEN_SECONDLY_ROLLING\"}"))
                .willSetStateTo("open"));
        hubspot.stubFor(post(urlEqualTo("/limited" + UPSERT))
                .inScenario("limited")
                .whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":\"COMPLETE\",\"results\":[]}")));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("hub-4", "p-limited", "49.00", null, List.of(), null));

        Throttled throttled = VendorEvents.awaitThrottled(hub, "limited", event.id());
        // HubSpot sends no Retry-After: a 429 is no failure, so not the backoff (20 s) but the hub's default wait
        // (cartrelay.delivery.throttle.default-wait, 1 s) decides
        throttled.assertWaits(Duration.ofSeconds(1));

        VendorEvents.awaitDelivered(hub, "limited", event.id());
        assertThat(requests("limited")).hasSize(2);
    }

    /** HubSpot's 207 Multi-Status of a batch upsert whose one input failed. */
    private static String multiStatus(String category, String message) {
        ObjectNode body = EventJson.MAPPER.createObjectNode();
        body.put("status", "COMPLETE");
        body.putArray("results");
        body.put("numErrors", 1);
        ObjectNode error = body.putArray("errors").addObject();
        error.put("status", "error");
        error.put("category", category);
        error.put("message", message);
        error.putObject("context").putArray("ids").add("0");
        body.put("startedAt", "2026-08-18T09:41:48.114Z");
        body.put("completedAt", "2026-08-18T09:41:48.302Z");
        return EventJson.write(body);
    }

    /** The first upsert to this connector answers 207 with {@code body}, every later one 200. */
    private void firstAnswers207(String name, String body) {
        hubspot.stubFor(post(urlEqualTo("/" + name + UPSERT))
                .inScenario(name)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(207)
                        .withHeader("Content-Type", "application/json")
                        .withBody(body))
                .willSetStateTo("answered"));
        hubspot.stubFor(post(urlEqualTo("/" + name + UPSERT))
                .inScenario(name)
                .whenScenarioStateIs("answered")
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"513\",\"properties\":{}}]}")));
    }

    private ConnectorRuntime runtime(String name) {
        return hub.bean(ConnectorRuntimes.class).get(name).orElseThrow();
    }

    private CircuitBreaker.Metrics breakerMetrics(String name) {
        return hub.bean(ConnectorRuntimes.class).breakers().circuitBreaker(name).getMetrics();
    }

    @Test
    void a207WithAValidationErrorIsDeadLetteredAtOnceWithHubSpotsMessage() {
        String refusal = "Property values were not valid: [{\"isValid\":false,\"message\":\"Email address "
                + "hub-r1@example.com is invalid\",\"error\":\"INVALID_EMAIL\",\"name\":\"email\"}]";
        firstAnswers207("refused", multiStatus("VALIDATION_ERROR", refusal));
        OutboundEvent event = VendorEvents.publish(
                hub, VendorEvents.abandoned("hub-r1", "p-refused", "49.00", null, List.of(), null));

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "refused");
        assertThat(letter.eventId()).isEqualTo(event.id());
        assertThat(letter.attempts()).isEqualTo(1);
        // HubSpot's message, with the buyer's address masked
        assertThat(letter.reason())
                .isEqualTo("Not retried (replay it once the cause is fixed): PermanentDeliveryException: HubSpot "
                        + "answered 207 and did not take the contact: VALIDATION_ERROR: Property values were not valid: "
                        + "[{\"isValid\":false,\"message\":\"Email address h***@example.com is invalid\",\"error\":"
                        + "\"INVALID_EMAIL\",\"name\":\"email\"}]");
        assertThat(VendorEvents.delivery(hub, "refused", event.id()).status()).isEqualTo("dead");
        assertThat(letter.attemptLog()).singleElement().satisfies(attempt -> {
            assertThat(attempt.statusCode()).isEqualTo(207);
            assertThat(attempt.outcome()).isEqualTo("dead");
            assertThat(attempt.responseBody())
                    .contains("\"numErrors\":1")
                    .contains("\"category\":\"VALIDATION_ERROR\"");
        });
        assertThat(requests("refused")).hasSize(1);
        // HubSpot refused the contact; it is not down
        assertThat(runtime("refused").circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breakerMetrics("refused").getNumberOfFailedCalls()).isZero();
        assertThat(runtime("refused").deadLettered()).isEqualTo(1);
    }

    @Test
    void a207WithARateLimitsErrorIsThrottledAndTheNextCallDelivers() {
        firstAnswers207("slowed", multiStatus("RATE_LIMITS", "You have reached your secondly limit."));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("hub-s1", "p-slowed", "49.00", null, List.of(), null));

        VendorEvents.awaitDelivered(hub, "slowed", event.id());
        List<AttemptRow> attempts = VendorEvents.attempts(hub, "slowed", event.id());
        assertThat(attempts)
                .extracting(a -> a.status() + " " + a.outcome())
                .containsExactly("207 throttled", "200 delivered");
        // no failure: the connector waited its default wait (1 s), not the backoff (100 ms)
        assertThat(Duration.between(attempts.get(0).at(), attempts.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(requests("slowed")).hasSize(2);
        assertThat(runtime("slowed").throttled()).isEqualTo(1);
        assertThat(breakerMetrics("slowed").getNumberOfFailedCalls()).isZero();
    }

    @Test
    void a207WithAnInternalErrorIsRetried() {
        firstAnswers207("troubled", multiStatus("INTERNAL_ERROR", "An internal error occurred."));
        OutboundEvent event = VendorEvents.publish(
                hub, VendorEvents.abandoned("hub-t1", "p-troubled", "49.00", null, List.of(), null));

        VendorEvents.awaitDelivered(hub, "troubled", event.id());
        assertThat(VendorEvents.attempts(hub, "troubled", event.id()))
                .extracting(a -> a.status() + " " + a.outcome())
                .containsExactly("207 retry", "200 delivered");
        assertThat(requests("troubled")).hasSize(2);
        assertThat(runtime("troubled").deadLettered()).isZero();
    }

    @Test
    void aShopsNoticeEndsAsAContactUpsert() throws Exception {
        Checkouts.start(hub, "hub-flow", "p-flow", "35.50", "DE");

        LoggedRequest request = awaitRequest("flow", "hub-flow@example.com");
        JsonNode input = json(request.getBodyAsString()).at("/inputs/0");
        assertThat(input.get("id").asText()).isEqualTo("hub-flow@example.com");
        assertThat(input.at("/properties/abandoned_cart_status").asText()).isEqualTo("abandoned cart");
        assertThat(input.at("/properties/abandoned_cart_value").asText()).isEqualTo("35.50");
        assertThat(input.at("/properties/abandoned_cart_currency").asText()).isEqualTo("EUR");
        assertThat(input.at("/properties/firstname").asText()).isEqualTo("Test");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'flow' and status = 'delivered'")
                                == 1);
    }

    @Test
    void aFileWithoutABearerTokenIsRefusedNamingTheKey(@TempDir Path folder) throws Exception {
        Path file = folder.resolve("crm.yaml");
        Files.writeString(file, """
                type: hubspot
                auth: {basic: {user: me, password: secret}}
                """);

        assertThatThrownBy(() -> new ConnectorLoader(new StandardEnvironment()).load(file))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file + ": key 'auth.bearer' ");
    }
}
