package org.cartrelay.connectors.mailchimp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.cartrelay.connectors.http.VendorEvents.json;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.connectors.http.VendorEvents.Throttled;
import org.cartrelay.event.Consent;
import org.cartrelay.event.Customer;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.core.env.StandardEnvironment;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The mailchimp connector against a WireMock Mailchimp: the member upsert at the MD5 of the trimmed, lower-cased
 * email and the tags call, both with basic auth and the documented bodies; recovery marking the tag inactive;
 * {@code status_if_new} and consent; a failed tags call retried alone (PROGRESS); the 429 branch; the data centre
 * from the key; the whole path from a shop's notice; and {@code rateLimit} counting calls, not deliveries.
 */
class MailchimpConnectorTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef-us6";

    @RegisterExtension
    static final VendorHub MAILCHIMP = VendorHub.type("mailchimp", """
            apiKey: ${MAILCHIMP_API_KEY}
            listId: a1b2c3d4e5
            retry: {maxAttempts: 5, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}
            """)
            .stubs(mailchimp -> {
                mailchimp.stubFor(put(anyUrl())
                        .willReturn(aResponse()
                                .withStatus(200)
                                .withHeader("Content-Type", "application/json")
                                .withBody("{\"id\":\"member\",\"status\":\"transactional\"}")));
                mailchimp.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(204)));
            })
            .property("MAILCHIMP_API_KEY", KEY)
            .connector("list", "p-list", "tags: [shop-us, vip]")
            .connector("opt-in", "p-opt-in", "statusIfNew: subscribed\nrequireConsent: false")
            .connector("progress", "p-progress", "")
            .connector(
                    "limited",
                    "p-limited",
                    "retry: {maxAttempts: 5, initialDelay: 20s, multiplier: 2, maxDelay: 10m, jitter: 0}")
            .connector("flow", "p-flow", "")
            .connector("rated", "p-rated", "rateLimit: 2/s");

    private final TestHub hub = MAILCHIMP.hub();
    private final WireMockServer mailchimp = MAILCHIMP.vendor();

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static String member(String name, String email) throws Exception {
        return "/" + name + "/3.0/lists/a1b2c3d4e5/members/" + md5(email);
    }

    private List<LoggedRequest> puts(String path) {
        return mailchimp.findAll(putRequestedFor(urlEqualTo(path)));
    }

    private List<LoggedRequest> posts(String path) {
        return mailchimp.findAll(postRequestedFor(urlEqualTo(path)));
    }

    private static OutboundEvent withCustomer(OutboundEvent event, Customer customer, Consent consent) {
        return new OutboundEvent(
                event.id(),
                event.type(),
                event.source(),
                event.sourceEventId(),
                event.occurredAt(),
                event.checkout(),
                customer,
                consent,
                event.attributes(),
                event.abandonment(),
                event.recovery());
    }

    @Test
    void anAbandonedCartUpsertsTheMemberAtTheHashOfTheEmailThenTagsIt() throws Exception {
        OutboundEvent given = VendorEvents.abandoned(
                "mc-1", "p-list", "49.00", "high", List.of("repeat-abandoner", "abandoned-product-p-list"), null);
        OutboundEvent event = VendorEvents.publish(
                hub,
                withCustomer(
                        given, new Customer("  MC-1@Example.COM ", "Test", "Kauf", null, null, null), given.consent()));

        String member = member("list", "mc-1@example.com");
        VendorEvents.awaitDelivered(hub, "list", event.id());
        LoggedRequest upsert = puts(member).get(0);
        String basic =
                "Basic " + Base64.getEncoder().encodeToString(("cartrelay:" + KEY).getBytes(StandardCharsets.UTF_8));
        assertThat(upsert.getHeader("Authorization")).isEqualTo(basic);
        assertThat(upsert.getHeader("Content-Type")).startsWith("application/json");
        assertThat(json(upsert.getBodyAsString())).isEqualTo(json("""
                {"email_address": "MC-1@Example.COM", "status_if_new": "transactional",
                 "merge_fields": {"FNAME": "Test", "LNAME": "Kauf"}}"""));

        List<LoggedRequest> tags = posts(member + "/tags");
        assertThat(tags).hasSize(1);
        assertThat(tags.get(0).getHeader("Authorization")).isEqualTo(basic);
        assertThat(json(tags.get(0).getBodyAsString())).isEqualTo(json("""
                {"tags": [{"name": "abandoned-cart", "status": "active"},
                          {"name": "repeat-abandoner", "status": "active"},
                          {"name": "abandoned-product-p-list", "status": "active"},
                          {"name": "shop-us", "status": "active"},
                          {"name": "vip", "status": "active"}]}"""));
        // the member exists before it is tagged
        assertThat(upsert.getLoggedDate()).isBeforeOrEqualTo(tags.get(0).getLoggedDate());
        assertThat(tags.get(0).getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        assertThat(VendorEvents.delivery(hub, "list", event.id()).progress()).isEqualTo(2);
    }

    @Test
    void aRecoveryMarksTheAbandonedCartTagInactive() throws Exception {
        OutboundEvent abandoned =
                VendorEvents.abandoned("mc-2", "p-list", "49.00", null, List.of("repeat-abandoner"), null);
        OutboundEvent recovered = VendorEvents.publish(hub, VendorEvents.recovered(abandoned, "49.00"));

        VendorEvents.awaitDelivered(hub, "list", recovered.id());
        String member = member("list", "mc-2@example.com");
        assertThat(puts(member)).hasSize(1);
        assertThat(json(puts(member).get(0).getBodyAsString())
                        .get("email_address")
                        .asText())
                .isEqualTo("mc-2@example.com");
        assertThat(json(posts(member + "/tags").get(0).getBodyAsString())).isEqualTo(json("""
                {"tags": [{"name": "abandoned-cart", "status": "inactive"}]}"""));
    }

    @Test
    void statusIfNewSubscribedIsSentOnlyForBuyersWhoConsented() throws Exception {
        OutboundEvent consented =
                VendorEvents.publish(hub, VendorEvents.abandoned("mc-3", "p-opt-in", "49.00", null, List.of(), null));
        OutboundEvent given = VendorEvents.abandoned("mc-4", "p-opt-in", "49.00", null, List.of(), null);
        OutboundEvent notConsented =
                VendorEvents.publish(hub, withCustomer(given, given.customer(), new Consent(false)));

        VendorEvents.awaitDelivered(hub, "opt-in", consented.id());
        VendorEvents.awaitDelivered(hub, "opt-in", notConsented.id());
        assertThat(json(puts(member("opt-in", "mc-3@example.com")).get(0).getBodyAsString())
                        .get("status_if_new")
                        .asText())
                .isEqualTo("subscribed");
        assertThat(json(puts(member("opt-in", "mc-4@example.com")).get(0).getBodyAsString())
                        .get("status_if_new")
                        .asText())
                .isEqualTo("transactional");
    }

    @Test
    void aFailedTagsCallIsRetriedAloneWithoutUpsertingTheMemberAgain() throws Exception {
        String member = member("progress", "mc-5@example.com");
        mailchimp.stubFor(post(urlEqualTo(member + "/tags"))
                .inScenario("tags")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500).withBody("{\"title\":\"Internal Server Error\"}"))
                .willSetStateTo("up"));
        mailchimp.stubFor(post(urlEqualTo(member + "/tags"))
                .inScenario("tags")
                .whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(204)));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("mc-5", "p-progress", "49.00", null, List.of(), null));

        VendorEvents.awaitDelivered(hub, "progress", event.id());
        assertThat(puts(member)).hasSize(1);
        assertThat(posts(member + "/tags")).hasSize(2);
        assertThat(VendorEvents.attempts(hub, "progress", event.id()))
                .extracting(a -> a.status() + " " + a.outcome())
                .containsExactly("500 retry", "204 delivered");
        assertThat(VendorEvents.delivery(hub, "progress", event.id()).progress())
                .isEqualTo(2);
    }

    @Test
    void mailchimpsRateLimitAnswerMakesTheConnectorWaitItsDefaultWait() throws Exception {
        String member = member("limited", "mc-6@example.com");
        mailchimp.stubFor(put(urlEqualTo(member))
                .inScenario("limited")
                .whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse()
                        .withStatus(429)
                        .withHeader("Content-Type", "application/problem+json")
                        .withBody("{\"title\":\"Too Many Requests\",\"status\":429}"))
                .willSetStateTo("open"));
        mailchimp.stubFor(put(urlEqualTo(member))
                .inScenario("limited")
                .whenScenarioStateIs("open")
                .willReturn(aResponse().withStatus(200).withBody("{}")));
        OutboundEvent event =
                VendorEvents.publish(hub, VendorEvents.abandoned("mc-6", "p-limited", "49.00", null, List.of(), null));

        Throttled throttled = VendorEvents.awaitThrottled(hub, "limited", event.id());
        assertThat(throttled.waiting().progress()).isZero();
        assertThat(posts(member + "/tags")).isEmpty();
        // Mailchimp sends no Retry-After: a 429 is no failure, so not the backoff (20 s) but the hub's default wait
        // (cartrelay.delivery.throttle.default-wait, 1 s) decides
        throttled.assertWaits(Duration.ofSeconds(1));

        VendorEvents.awaitDelivered(hub, "limited", event.id());
        assertThat(puts(member)).hasSize(2);
        assertThat(posts(member + "/tags")).hasSize(1);
    }

    @Test
    void aShopsNoticeEndsAsAMemberUpsertAndTags() throws Exception {
        Checkouts.start(hub, "mc-flow", "p-flow", "35.50", "DE");

        String member = member("flow", "mc-flow@example.com");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> posts(member + "/tags").size() == 1);
        assertThat(json(puts(member).get(0).getBodyAsString())
                        .get("status_if_new")
                        .asText())
                .isEqualTo("transactional");
        assertThat(json(posts(member + "/tags").get(0).getBodyAsString())
                        .at("/tags/0/name")
                        .asText())
                .isEqualTo("abandoned-cart");
    }

    @Test
    void rateLimitCountsCallsSoNoSecondHoldsMoreThanTheRateAndItsBurst() {
        List<OutboundEvent> events = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            events.add(VendorEvents.publish(
                    hub, VendorEvents.abandoned("mc-rated-" + i, "p-rated", "49.00", null, List.of(), null)));
        }

        events.forEach(event -> VendorEvents.awaitDelivered(hub, "rated", event.id()));
        List<LoggedRequest> calls = mailchimp.findAll(anyRequestedFor(urlMatching("/rated/.*")));
        // each delivery is two calls, the member upsert and its tags
        assertThat(calls).hasSize(6);
        assertThat(calls)
                .filteredOn(call -> call.getMethod().getName().equals("PUT"))
                .hasSize(3);
        List<Long> at = calls.stream()
                .map(call -> call.getLoggedDate().getTime())
                .sorted()
                .toList();
        // 2 calls per second and a burst of one: any 1 s window holds at most 3 calls (50 ms for the clocks)
        for (int i = 0; i + 3 < at.size(); i++) {
            assertThat(at.get(i + 3) - at.get(i))
                    .as("ms from call %d to call %d", i + 1, i + 4)
                    .isGreaterThanOrEqualTo(950L);
        }
    }

    @Test
    void theDataCentreComesFromTheKeyUnlessEndpointIsGiven(@TempDir Path folder) throws Exception {
        ConnectorLoader loader = new ConnectorLoader(new StandardEnvironment());
        Path derived = folder.resolve("derived.yaml");
        Files.writeString(derived, "type: mailchimp\napiKey: " + KEY + "\nlistId: abc123\n");
        Path given = folder.resolve("given.yaml");
        Files.writeString(
                given, "type: mailchimp\napiKey: " + KEY + "\nlistId: abc123\nendpoint: https://mc.example.com\n");
        Path missing = folder.resolve("missing.yaml");
        Files.writeString(missing, "type: mailchimp\napiKey: 0123456789abcdef\nlistId: abc123\n");

        assertThat(MailchimpConnector.baseUrl(loader.load(derived))).isEqualTo("https://us6.api.mailchimp.com");
        assertThat(MailchimpConnector.baseUrl(loader.load(given))).isEqualTo("https://mc.example.com");
        assertThat(loader.load(derived).requireConsent()).isTrue();
        assertThatThrownBy(() -> ConnectorType.of("mailchimp", MailchimpSettings.class, MailchimpConnector::new)
                        .create(loader.load(missing)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + missing + ": key 'apiKey' must end in its data centre (such as -us6), "
                        + "or key 'endpoint' must give the API base URL (such as https://us6.api.mailchimp.com).");
    }
}
