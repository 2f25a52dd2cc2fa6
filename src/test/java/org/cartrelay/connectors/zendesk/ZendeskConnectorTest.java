package org.cartrelay.connectors.zendesk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cartrelay.connectors.http.VendorEvents.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
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
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The zendesk connector against a WireMock Zendesk: the documented ticket create (basic auth with the API token,
 * {@code Idempotency-Key}, exact body) with priority by value tier and the repeat-abandoner mark; the ticket id kept
 * and used for the recovery note or solve; the short ticket when the id is unknown, or nothing when so configured;
 * the 429 branch with {@code Retry-After}; and the whole path from a shop's notice to the note on recovery.
 */
class ZendeskConnectorTest {

    private static final String BASIC = "Basic "
            + Base64.getEncoder()
                    .encodeToString("agent@example.com/token:zd-api-token".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final VendorHub ZENDESK = VendorHub.type("zendesk", """
            auth: {basic: {user: agent@example.com/token, password: "${ZENDESK_TOKEN}"}}
            retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
            """)
            .stubs(zendesk -> {
                for (String name : List.of("desk", "solve", "quiet", "tiers", "limited", "flow")) {
                    zendesk.stubFor(post(urlEqualTo("/" + name + "/api/v2/tickets.json"))
                            .willReturn(aResponse()
                                    .withStatus(201)
                                    .withHeader("Content-Type", "application/json")
                                    .withBody("{\"ticket\":{\"id\":" + (name.length() * 1000 + 35)
                                            + ",\"status\":\"new\"}}")));
                }
                zendesk.stubFor(put(urlMatching("/.*/api/v2/tickets/[0-9]+\\.json"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"ticket\":{}}")));
            })
            .property("ZENDESK_TOKEN", "zd-api-token")
            .connector("desk", "p-desk", "tags: [web-shop]")
            .connector("solve", "p-solve", "onRecovery: solve")
            .connector("quiet", "p-quiet", "recoveryTicket: false")
            .connector("tiers", "p-tiers", "priorities: {high: high, normal: low}")
            .connector(
                    "limited",
                    "p-limited",
                    "retry: {maxAttempts: 5, initialDelay: 1s, multiplier: 2, maxDelay: 10m, jitter: 0}")
            .connector("flow", "p-flow", "");

    private final TestHub hub = ZENDESK.hub();
    private final WireMockServer zendesk = ZENDESK.vendor();

    private List<LoggedRequest> creates(String name) {
        return zendesk.findAll(postRequestedFor(urlEqualTo("/" + name + "/api/v2/tickets.json")));
    }

    private List<LoggedRequest> updates(String name, int ticket) {
        return zendesk.findAll(putRequestedFor(urlEqualTo("/" + name + "/api/v2/tickets/" + ticket + ".json")));
    }

    private LoggedRequest created(String name, String email) {
        return VendorEvents.awaitRequest(() -> creates(name), email);
    }

    @Test
    void anAbandonedCheckoutOpensACallBackTicketWithTheDocumentedRequest() throws Exception {
        OutboundEvent event = VendorEvents.publish(
                hub,
                VendorEvents.abandoned(
                        "zd-1",
                        "p-desk",
                        "120.00",
                        "high",
                        List.of("repeat-abandoner", "abandoned-product-p-desk"),
                        "COMEBACK10"));

        LoggedRequest request = created("desk", "zd-1@example.com");
        assertThat(request.getHeader("Authorization")).isEqualTo(BASIC);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo(event.id());
        ObjectNode expected = (ObjectNode) json("""
                {"ticket": {"subject": "Call back (repeat abandoner): Basic Plan, 120.00 USD",
                  "comment": {"body": ""}, "priority": "urgent", "type": "task",
                  "tags": ["abandoned-cart", "repeat-abandoner", "abandoned-product-p-desk", "web-shop"],
                  "requester": {"name": "Test Kauf", "email": "zd-1@example.com"}}}""");
        ((ObjectNode) expected.at("/ticket/comment"))
                .put(
                        "body",
                        String.join(
                                "\n",
                                "Test Kauf <zd-1@example.com>, phone +15551234567 left a checkout without paying.",
                                "- 1 x Basic Plan (p-desk) at 120.00",
                                "Cart value: 120.00 USD (high value)",
                                "Resume link: https://shop.example.com/resume/zd-1?coupon=COMEBACK10",
                                "Coupon offered: COMEBACK10",
                                "Abandoned at: 2026-08-18T09:11:48Z",
                                "Repeat abandoner (2 abandoned checkouts recently): check whether something keeps this buyer from "
                                        + "completing the purchase.",
                                "Checkout cart-zd-1 from test-shop."));
        assertThat(json(request.getBodyAsString())).isEqualTo(expected);
        assertThat(request.getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        VendorEvents.awaitDelivered(hub, "desk", event.id());
        // the ticket id is kept under the checkout's source event, with no personal data
        assertThat(hub.jdbc()
                        .sql("select external_id from connector_ref where connector = 'desk' and event_key = ?")
                        .param("test-shop:start-zd-1")
                        .query(String.class)
                        .single())
                .isEqualTo("4035");
    }

    @Test
    void aRecoveryAddsAPrivateNoteToTheKnownTicket() throws Exception {
        OutboundEvent abandoned =
                VendorEvents.publish(hub, VendorEvents.abandoned("zd-2", "p-desk", "49.00", null, List.of(), null));
        VendorEvents.awaitDelivered(hub, "desk", abandoned.id());
        int before = updates("desk", 4035).size();
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "49.00"));

        VendorEvents.awaitDelivered(hub, "desk", recovered.id());
        List<LoggedRequest> notes = updates("desk", 4035);
        assertThat(notes).hasSize(before + 1);
        LoggedRequest note = notes.get(notes.size() - 1);
        assertThat(note.getHeader("Authorization")).isEqualTo(BASIC);
        assertThat(json(note.getBodyAsString())).isEqualTo(json("""
                {"ticket": {"comment": {"body": "The buyer zd-2@example.com completed the purchase: order ord-cart-zd-2, \
                49.00 USD, at 2026-08-18T10:00:00Z.\\nNo call back needed for checkout cart-zd-2.", "public": false},
                  "additional_tags": ["cart-recovered"]}}"""));
        // a normal cart was a normal-priority ticket
        assertThat(json(created("desk", "zd-2@example.com").getBodyAsString())
                        .at("/ticket/priority")
                        .asText())
                .isEqualTo("normal");
        assertThat(json(created("desk", "zd-2@example.com").getBodyAsString())
                        .at("/ticket/subject")
                        .asText())
                .isEqualTo("Call back: Basic Plan, 49.00 USD");
    }

    @Test
    void onRecoverySolveSetsTheTicketSolved() throws Exception {
        OutboundEvent abandoned =
                VendorEvents.publish(hub, VendorEvents.abandoned("zd-3", "p-solve", "49.00", null, List.of(), null));
        VendorEvents.awaitDelivered(hub, "solve", abandoned.id());
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "49.00"));

        VendorEvents.awaitDelivered(hub, "solve", recovered.id());
        JsonNode ticket = json(updates("solve", 5035).get(0).getBodyAsString()).get("ticket");
        assertThat(ticket.get("status").asText()).isEqualTo("solved");
        assertThat(ticket.at("/comment/public").asBoolean()).isFalse();
    }

    @Test
    void aRecoveryWithoutAKnownTicketOpensAShortTicket() throws Exception {
        OutboundEvent recovered = VendorEvents.publish(
                hub,
                VendorEvents.recovered(
                        VendorEvents.abandoned("zd-4", "p-desk", "49.00", null, List.of(), null), "45.00"));

        LoggedRequest request = created("desk", "zd-4@example.com");
        assertThat(request.getHeader("Idempotency-Key")).isEqualTo(recovered.id());
        JsonNode ticket = json(request.getBodyAsString()).get("ticket");
        assertThat(ticket.get("subject").asText()).isEqualTo("Recovered: Basic Plan, 45.00 USD");
        assertThat(ticket.get("priority").asText()).isEqualTo("low");
        assertThat(ticket.get("tags")).extracting(JsonNode::asText).containsExactly("cart-recovered", "web-shop");
        assertThat(ticket.at("/requester/email").asText()).isEqualTo("zd-4@example.com");
        VendorEvents.awaitDelivered(hub, "desk", recovered.id());
    }

    @Test
    void withRecoveryTicketFalseAnUnknownTicketMeansNothingIsSent() {
        OutboundEvent recovered = VendorEvents.publish(
                hub,
                VendorEvents.recovered(
                        VendorEvents.abandoned("zd-5", "p-quiet", "49.00", null, List.of(), null), "45.00"));

        VendorEvents.awaitDelivered(hub, "quiet", recovered.id());
        assertThat(creates("quiet")).isEmpty();
        assertThat(zendesk.findAll(putRequestedFor(urlMatching("/quiet/.*")))).isEmpty();
    }

    @Test
    void prioritiesByValueTierComeFromTheFile() throws Exception {
        VendorEvents.publish(hub, VendorEvents.abandoned("zd-6", "p-tiers", "500.00", "high", List.of(), null));
        VendorEvents.publish(hub, VendorEvents.abandoned("zd-7", "p-tiers", "20.00", "normal", List.of(), null));

        assertThat(json(created("tiers", "zd-6@example.com").getBodyAsString())
                        .at("/ticket/priority")
                        .asText())
                .isEqualTo("high");
        assertThat(json(created("tiers", "zd-7@example.com").getBodyAsString())
                        .at("/ticket/priority")
                        .asText())
                .isEqualTo("low");
    }

    @Test
    void a429IsRetriedAfterTheRetryAfterZendeskSends() {
        zendesk.stubFor(post(urlEqualTo("/limited/api/v2/tickets.json"))
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "93")
                        .withBody("{\"error\":\"APIRateLimitExceeded\"}"))
                .willSetStateTo("open"));
        zendesk.stubFor(post(urlEqualTo("/limited/api/v2/tickets.json"))
                .inScenario("limited")
                .whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(201).withBody("{\"ticket\":{\"id\":9}}")));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("zd-8", "p-limited", "49.00", null, List.of(), null));

        Throttled throttled = VendorEvents.awaitThrottled(hub, "limited", event.id());
        throttled.assertWaits(Duration.ofSeconds(93));

        hub.clock().advance(Duration.ofSeconds(99));
        VendorEvents.awaitDelivered(hub, "limited", event.id());
        assertThat(creates("limited"))
                .hasSize(2)
                .extracting(r -> r.getHeader("Idempotency-Key"))
                .containsOnly(event.id());
        assertThat(hub.count("select count(*) from connector_ref where connector = 'limited' and external_id = '9'"))
                .isEqualTo(1);
    }

    @Test
    void aShopsNoticeOpensATicketAndItsOrderNotesTheRecoveryOnIt() throws Exception {
        Checkouts.start(hub, "zd-flow", "p-flow", "35.50", "DE");

        JsonNode ticket =
                json(created("flow", "zd-flow@example.com").getBodyAsString()).get("ticket");
        assertThat(ticket.get("subject").asText()).isEqualTo("Call back: Tea, 35.50 EUR");
        assertThat(ticket.at("/requester/name").asText()).isEqualTo("Test Buyer");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.count(
                                "select count(*) from connector_ref where connector = 'flow' and external_id = '4035'")
                        == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-zd-flow' and status = 'abandoned'")
                        == 1);

        Checkouts.complete(hub, "zd-flow", "35.50");
        await().atMost(Duration.ofSeconds(20)).until(() -> updates("flow", 4035).size() == 1);
        assertThat(json(updates("flow", 4035).get(0).getBodyAsString())
                        .at("/ticket/comment/body")
                        .asText())
                .startsWith("The buyer zd-flow@example.com completed the purchase: order ord-zd-flow");
        assertThat(creates("flow")).hasSize(1);
    }
}
