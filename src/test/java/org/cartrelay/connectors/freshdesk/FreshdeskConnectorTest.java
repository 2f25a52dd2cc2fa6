package org.cartrelay.connectors.freshdesk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cartrelay.connectors.http.VendorEvents.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.AttemptRow;
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
 * The freshdesk connector against a WireMock Freshdesk: the documented ticket create (basic auth {@code apiKey:X},
 * exact body) with priority by value tier and the repeat-abandoner mark; the ticket id kept and used for the
 * recovery note, and for note-then-resolve with a failed second call retried alone; the short ticket when the id is
 * unknown; the 429 branch with {@code Retry-After}; and the whole path from a shop's notice. A ticket whose answer
 * was lost is found again on the retry by its event tag and not opened twice.
 */
class FreshdeskConnectorTest {

    private static final String BASIC =
            "Basic " + Base64.getEncoder().encodeToString("fd-key-0123:X".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final VendorHub FRESHDESK = VendorHub.type("freshdesk", """
            apiKey: ${FRESHDESK_API_KEY}
            retry: {maxAttempts: 5, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}
            """)
            .stubs(freshdesk -> {
                for (String name : List.of("desk", "solve", "limited", "flow")) {
                    freshdesk.stubFor(post(urlEqualTo("/" + name + "/api/v2/tickets"))
                            .willReturn(aResponse()
                                    .withStatus(201)
                                    .withHeader("Content-Type", "application/json")
                                    .withBody(
                                            "{\"id\":" + (name.length() * 100 + 1) + ",\"status\":2,\"priority\":2}")));
                }
                freshdesk.stubFor(post(urlMatching("/.*/api/v2/tickets/[0-9]+/notes"))
                        .willReturn(aResponse()
                                .withStatus(201)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"id\":77,\"private\":true}")));
                freshdesk.stubFor(put(urlMatching("/.*/api/v2/tickets/[0-9]+"))
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"status\":4}")));
            })
            .property("FRESHDESK_API_KEY", "fd-key-0123")
            .connector("desk", "p-desk", "tags: [web-shop]")
            .connector("solve", "p-solve", "onRecovery: solve\npriorities: {high: 3, normal: 1}")
            .connector(
                    "limited",
                    "p-limited",
                    "retry: {maxAttempts: 5, initialDelay: 1s, multiplier: 2, maxDelay: 10m, jitter: 0}")
            .connector("flow", "p-flow", "")
            .connector("lost", "p-lost", "timeout: 1s")
            .connector("missed", "p-missed", "timeout: 1s");

    private final TestHub hub = FRESHDESK.hub();
    private final WireMockServer freshdesk = FRESHDESK.vendor();

    private List<LoggedRequest> creates(String name) {
        return freshdesk.findAll(postRequestedFor(urlEqualTo("/" + name + "/api/v2/tickets")));
    }

    private List<LoggedRequest> notes(String name, int ticket) {
        return freshdesk.findAll(postRequestedFor(urlEqualTo("/" + name + "/api/v2/tickets/" + ticket + "/notes")));
    }

    private List<LoggedRequest> statusChanges(String name, int ticket) {
        return freshdesk.findAll(putRequestedFor(urlEqualTo("/" + name + "/api/v2/tickets/" + ticket)));
    }

    private LoggedRequest created(String name, String email) {
        return VendorEvents.awaitRequest(() -> creates(name), email);
    }

    @Test
    void anAbandonedCheckoutOpensACallBackTicketWithTheDocumentedRequest() throws Exception {
        OutboundEvent event = VendorEvents.publish(
                hub,
                VendorEvents.abandoned(
                        "fd-1",
                        "p-desk",
                        "120.00",
                        "high",
                        List.of("repeat-abandoner", "abandoned-product-p-desk"),
                        "COMEBACK10"));

        LoggedRequest request = created("desk", "fd-1@example.com");
        assertThat(request.getHeader("Authorization")).isEqualTo(BASIC);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(json(request.getBodyAsString())).isEqualTo(json("""
                {"email": "fd-1@example.com", "name": "Test Kauf",
                 "subject": "Call back (repeat abandoner): Basic Plan, 120.00 USD",
                 "description": "<p>Test Kauf &lt;fd-1@example.com&gt;, phone +15551234567 left a checkout without paying.</p>\
                <p>- 1 x Basic Plan (p-desk) at 120.00</p><p>Cart value: 120.00 USD (high value)</p>\
                <p>Resume link: https://shop.example.com/resume/fd-1?coupon=COMEBACK10</p><p>Coupon offered: COMEBACK10</p>\
                <p>Abandoned at: 2026-08-18T09:11:48Z</p><p>Repeat abandoner (2 abandoned checkouts recently): check whether \
                something keeps this buyer from completing the purchase.</p><p>Checkout cart-fd-1 from test-shop.</p>",
                 "status": 2, "priority": 4, "source": 2,
                 "tags": ["abandoned-cart", "repeat-abandoner", "abandoned-product-p-desk", "web-shop", "%s"]}""".formatted(event.id())));
        assertThat(request.getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        VendorEvents.awaitDelivered(hub, "desk", event.id());
        assertThat(hub.jdbc()
                        .sql("select external_id from connector_ref where connector = 'desk' and event_key = ?")
                        .param("test-shop:start-fd-1")
                        .query(String.class)
                        .single())
                .isEqualTo("401");
    }

    @Test
    void aRecoveryAddsAPrivateNoteToTheKnownTicket() throws Exception {
        OutboundEvent abandoned =
                VendorEvents.publish(hub, VendorEvents.abandoned("fd-2", "p-desk", "49.00", null, List.of(), null));
        VendorEvents.awaitDelivered(hub, "desk", abandoned.id());
        assertThat(json(created("desk", "fd-2@example.com").getBodyAsString())
                        .get("priority")
                        .asInt())
                .isEqualTo(2);
        int before = notes("desk", 401).size();
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "49.00"));

        VendorEvents.awaitDelivered(hub, "desk", recovered.id());
        assertThat(notes("desk", 401)).hasSize(before + 1);
        LoggedRequest note = notes("desk", 401).get(before);
        assertThat(note.getHeader("Authorization")).isEqualTo(BASIC);
        assertThat(json(note.getBodyAsString())).isEqualTo(json("""
                {"body": "<p>The buyer fd-2@example.com completed the purchase: order ord-cart-fd-2, 49.00 USD, \
                at 2026-08-18T10:00:00Z.</p><p>No call back needed for checkout cart-fd-2.</p>", "private": true}"""));
        assertThat(statusChanges("desk", 401)).isEmpty();
    }

    @Test
    void onRecoverySolveResolvesTheTicketAndAFailedStatusChangeIsRetriedAlone() throws Exception {
        freshdesk.stubFor(put(urlEqualTo("/solve/api/v2/tickets/501"))
                .inScenario("solve")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("up"));
        freshdesk.stubFor(put(urlEqualTo("/solve/api/v2/tickets/501"))
                .inScenario("solve")
                .whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200).withBody("{\"status\":4}")));
        OutboundEvent abandoned =
                VendorEvents.publish(hub, VendorEvents.abandoned("fd-3", "p-solve", "900.00", "high", List.of(), null));
        VendorEvents.awaitDelivered(hub, "solve", abandoned.id());
        assertThat(json(created("solve", "fd-3@example.com").getBodyAsString())
                        .get("priority")
                        .asInt())
                .isEqualTo(3);
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "900.00"));

        VendorEvents.awaitDelivered(hub, "solve", recovered.id());
        assertThat(notes("solve", 501)).hasSize(1);
        assertThat(statusChanges("solve", 501)).hasSize(2);
        assertThat(json(statusChanges("solve", 501).get(1).getBodyAsString())).isEqualTo(json("{\"status\": 4}"));
        assertThat(VendorEvents.attempts(hub, "solve", recovered.id()))
                .extracting(a -> a.status() + " " + a.outcome())
                .containsExactly("503 retry", "200 delivered");
    }

    @Test
    void aRecoveryWithoutAKnownTicketOpensAShortTicket() throws Exception {
        OutboundEvent recovered = VendorEvents.publish(
                hub,
                VendorEvents.recovered(
                        VendorEvents.abandoned("fd-4", "p-desk", "49.00", null, List.of(), null), "45.00"));

        JsonNode ticket = json(created("desk", "fd-4@example.com").getBodyAsString());
        assertThat(ticket.get("subject").asText()).isEqualTo("Recovered: Basic Plan, 45.00 USD");
        assertThat(ticket.get("priority").asInt()).isEqualTo(1);
        assertThat(ticket.get("status").asInt()).isEqualTo(2);
        assertThat(ticket.get("tags"))
                .extracting(JsonNode::asText)
                .containsExactly("cart-recovered", "web-shop", recovered.id());
        VendorEvents.awaitDelivered(hub, "desk", recovered.id());
    }

    @Test
    void a429IsRetriedAfterTheRetryAfterFreshdeskSends() {
        freshdesk.stubFor(post(urlEqualTo("/limited/api/v2/tickets"))
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Retry-After", "47")
                        .withBody("{\"message\":\"You have exceeded the limit of requests per minute\"}"))
                .willSetStateTo("open"));
        freshdesk.stubFor(post(urlEqualTo("/limited/api/v2/tickets"))
                .inScenario("limited")
                .whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(201).withBody("{\"id\":12}")));
        // the retry first looks for a ticket the first attempt may have opened: there is none
        freshdesk.stubFor(get(urlPathEqualTo("/limited/api/v2/tickets")).willReturn(okJson("[]")));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("fd-5", "p-limited", "49.00", null, List.of(), null));

        Throttled throttled = VendorEvents.awaitThrottled(hub, "limited", event.id());
        throttled.assertWaits(Duration.ofSeconds(47));

        hub.clock().advance(Duration.ofSeconds(53));
        VendorEvents.awaitDelivered(hub, "limited", event.id());
        assertThat(creates("limited")).hasSize(2);
        assertThat(hub.count("select count(*) from connector_ref where connector = 'limited' and external_id = '12'"))
                .isEqualTo(1);
    }

    /**
     * The first ticket create answers 201 with {@code lostId} only after the connector's timeout (1 s), so that
     * attempt fails though Freshdesk opened the ticket; a later create answers {@code laterId} at once.
     */
    private void firstOpenAnswersTooLate(String name, int lostId, int laterId) {
        freshdesk.stubFor(post(urlEqualTo("/" + name + "/api/v2/tickets"))
                .inScenario(name)
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":" + lostId + ",\"status\":2,\"priority\":2}")
                        .withFixedDelay(3000))
                .willSetStateTo("opened"));
        freshdesk.stubFor(post(urlEqualTo("/" + name + "/api/v2/tickets"))
                .inScenario(name)
                .whenScenarioStateIs("opened")
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":" + laterId + ",\"status\":2,\"priority\":2}")));
    }

    /** Freshdesk's list of the requester's tickets, newest first: {@code id} and {@code tags} of each. */
    private static String listing(int firstId, String firstTags, int secondId, String secondTags) {
        return """
                [{"id": %d, "subject": "Call back: Basic Plan, 49.00 USD", "status": 2, "priority": 2, "source": 2,
                  "requester_id": 5100, "tags": [%s], "created_at": "2026-08-18T09:41:49Z"},
                 {"id": %d, "subject": "Call back: Basic Plan, 19.00 USD", "status": 4, "priority": 2, "source": 2,
                  "requester_id": 5100, "tags": [%s], "created_at": "2026-07-02T14:03:11Z"}]""".formatted(firstId, firstTags, secondId, secondTags);
    }

    private List<LoggedRequest> lookups(String name) {
        return freshdesk.findAll(getRequestedFor(urlPathEqualTo("/" + name + "/api/v2/tickets")));
    }

    private String ticketOf(String name, String key) {
        return hub.jdbc()
                .sql("select external_id from connector_ref where connector = ? and event_key = ?")
                .params(name, "test-shop:start-" + key)
                .query(String.class)
                .single();
    }

    @Test
    void aTicketWhoseAnswerWasLostIsFoundByItsEventTagOnTheRetryAndNotOpenedAgain() {
        firstOpenAnswersTooLate("lost", 7001, 7002);
        OutboundEvent event = VendorEvents.abandoned("fd-lost", "p-lost", "49.00", null, List.of(), null);
        freshdesk.stubFor(get(urlPathEqualTo("/lost/api/v2/tickets"))
                .willReturn(okJson(listing(
                        7001,
                        "\"abandoned-cart\", \"" + event.id() + "\"",
                        6500,
                        "\"abandoned-cart\", \"evt_older\""))));
        VendorEvents.publish(hub, event);

        VendorEvents.awaitDelivered(hub, "lost", event.id());
        assertThat(VendorEvents.attempts(hub, "lost", event.id()))
                .extracting(AttemptRow::outcome)
                .containsExactly("retry", "delivered");
        assertThat(creates("lost")).hasSize(1);
        assertThat(ticketOf("lost", "fd-lost")).isEqualTo("7001");
        assertThat(lookups("lost")).singleElement().satisfies(lookup -> {
            assertThat(lookup.queryParameter("email").firstValue()).isEqualTo("fd-lost@example.com");
            assertThat(lookup.queryParameter("order_by").firstValue()).isEqualTo("created_at");
            assertThat(lookup.queryParameter("order_type").firstValue()).isEqualTo("desc");
            assertThat(lookup.queryParameter("per_page").firstValue()).isEqualTo("100");
            assertThat(lookup.getHeader("Authorization")).isEqualTo(BASIC);
        });
        // the lookup came after the create it looked for
        assertThat(lookups("lost").get(0).getLoggedDate())
                .isAfterOrEqualTo(creates("lost").get(0).getLoggedDate());
    }

    @Test
    void aRetryWhoseListingLacksTheEventTagOpensTheTicket() throws Exception {
        firstOpenAnswersTooLate("missed", 8001, 8002);
        OutboundEvent event = VendorEvents.abandoned("fd-missed", "p-missed", "49.00", null, List.of(), null);
        // the requester's tickets, none of them of this event
        freshdesk.stubFor(get(urlPathEqualTo("/missed/api/v2/tickets"))
                .willReturn(okJson(listing(6600, "\"abandoned-cart\", \"evt_other\"", 6500, "\"abandoned-cart\""))));
        VendorEvents.publish(hub, event);

        VendorEvents.awaitDelivered(hub, "missed", event.id());
        assertThat(VendorEvents.attempts(hub, "missed", event.id()))
                .extracting(a -> a.status() + " " + a.outcome())
                .endsWith("201 delivered")
                .hasSize(2);
        assertThat(creates("missed")).hasSize(2);
        assertThat(json(creates("missed").get(1).getBodyAsString()).get("tags"))
                .extracting(JsonNode::asText)
                .containsExactly("abandoned-cart", event.id());
        assertThat(ticketOf("missed", "fd-missed")).isEqualTo("8002");
        assertThat(lookups("missed"))
                .singleElement()
                .satisfies(lookup ->
                        assertThat(lookup.queryParameter("email").firstValue()).isEqualTo("fd-missed@example.com"));
    }

    @Test
    void aShopsNoticeOpensATicketAndItsOrderNotesTheRecoveryOnIt() throws Exception {
        Checkouts.start(hub, "fd-flow", "p-flow", "35.50", "DE");

        JsonNode ticket = json(created("flow", "fd-flow@example.com").getBodyAsString());
        assertThat(ticket.get("subject").asText()).isEqualTo("Call back: Tea, 35.50 EUR");
        assertThat(ticket.get("name").asText()).isEqualTo("Test Buyer");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from connector_ref where connector = 'flow' and external_id = '401'")
                                == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-fd-flow' and status = 'abandoned'")
                        == 1);

        Checkouts.complete(hub, "fd-flow", "35.50");
        await().atMost(Duration.ofSeconds(20)).until(() -> notes("flow", 401).size() == 1);
        assertThat(json(notes("flow", 401).get(0).getBodyAsString()).get("body").asText())
                .startsWith("<p>The buyer fd-flow@example.com completed the purchase: order ord-fd-flow");
        assertThat(creates("flow")).hasSize(1);
    }
}
