package org.cartrelay.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code cartrelay.policy.eu-buyers} (exclude, require-consent, include) together with a connector's own
 * {@code requireConsent}, for buyers in and outside the EU with and without newsletter consent, the EU decided by
 * the address country or by Digistore24's {@code is_gdpr_country}; every withheld delivery is recorded as
 * {@code suppressed} with its reason and listed by {@code GET /api/suppressed}.
 */
class PrivacyPolicyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final String EXCLUDED = "The buyer is in an EU country and cartrelay.policy.eu-buyers is exclude.";
    private static final String EU_CONSENT = "The buyer is in an EU country and gave no newsletter consent, which "
            + "cartrelay.policy.eu-buyers (require-consent) requires.";
    private static final String CONNECTOR_CONSENT =
            "The buyer gave no newsletter consent and this connector requires it (requireConsent).";
    private static final String SENT = "not suppressed";

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(
            wireMock -> wireMock.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(204))));

    /** A hub with the given EU policy (null: the default) and two webhook connectors, one requiring consent. */
    private TestHub hub(String euBuyers) {
        TestHub.Builder builder = TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops");
        if (euBuyers != null) {
            builder.property("cartrelay.policy.eu-buyers", euBuyers);
        }
        return builder.connector("open", receiver.webhook("/open"))
                .connector("consented", receiver.webhook("/consented") + "requireConsent: true\n")
                .start();
    }

    /** Five buyers: EU with and without consent, US without, and two whose gdpr flag overrides their country. */
    private static void buyers(TestHub hub) {
        start(hub, "eu-consent", "DE", true, null);
        start(hub, "eu-none", "FR", false, null);
        start(hub, "us-none", "US", false, null);
        start(hub, "flag-yes", "US", false, "Y");
        start(hub, "flag-no", "DE", false, "N");
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.count("select count(*) from delivery") == 10);
    }

    private static void start(TestHub hub, String key, String country, boolean consent, String gdpr) {
        String json = """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "20.00",
                              "items": [{"productId": "p-1", "quantity": 1, "unitPrice": "20.00"}]},
                 "customer": {"email": "%s@example.com", "address": {"country": "%s"}},
                 "consent": {"newsletter": %s} %s}
                """.formatted(
                        key,
                        key,
                        key,
                        country,
                        consent,
                        gdpr == null ? "" : ", \"attributes\": {\"is_gdpr_country\": \"" + gdpr + "\"}");
        HttpResponse<String> response = Notices.post(hub, "msg-" + key, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /** The reason a delivery of this buyer to this connector was suppressed, or {@link #SENT}. */
    private static String outcome(TestHub hub, String key, String connector) {
        return hub.jdbc()
                .sql("""
                        select d.status, d.last_error from delivery d join outbound_event e on e.id = d.event_id
                        where e.email = ? and d.connector = ?""")
                .params(key + "@example.com", connector)
                .query((rs, n) -> "suppressed".equals(rs.getString(1)) ? rs.getString(2) : SENT)
                .single();
    }

    @Test
    void excludeWithholdsEveryEuBuyerWithOrWithoutConsent() {
        try (TestHub hub = hub("exclude")) {
            buyers(hub);
            assertThat(outcome(hub, "eu-consent", "open")).isEqualTo(EXCLUDED);
            assertThat(outcome(hub, "eu-consent", "consented")).isEqualTo(EXCLUDED);
            assertThat(outcome(hub, "eu-none", "open")).isEqualTo(EXCLUDED);
            assertThat(outcome(hub, "flag-yes", "open")).isEqualTo(EXCLUDED);
            assertThat(outcome(hub, "us-none", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "us-none", "consented")).isEqualTo(CONNECTOR_CONSENT);
            assertThat(outcome(hub, "flag-no", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "flag-no", "consented")).isEqualTo(CONNECTOR_CONSENT);
        }
    }

    @Test
    void requireConsentSendsEuBuyersOnlyWithTheirConsent() throws Exception {
        try (TestHub hub = hub("require-consent")) {
            buyers(hub);
            assertThat(outcome(hub, "eu-consent", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "eu-consent", "consented")).isEqualTo(SENT);
            assertThat(outcome(hub, "eu-none", "open")).isEqualTo(EU_CONSENT);
            assertThat(outcome(hub, "eu-none", "consented")).isEqualTo(EU_CONSENT);
            assertThat(outcome(hub, "flag-yes", "open")).isEqualTo(EU_CONSENT);
            assertThat(outcome(hub, "us-none", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "us-none", "consented")).isEqualTo(CONNECTOR_CONSENT);
            assertThat(outcome(hub, "flag-no", "open")).isEqualTo(SENT);

            // the suppressed deliveries are listed per connector and reason
            HttpResponse<String> listed = TestHub.send(HttpRequest.newBuilder(hub.uri("/api/suppressed"))
                    .header("Authorization", AUTH)
                    .GET());
            assertThat(listed.statusCode()).isEqualTo(200);
            Map<String, Long> counts = new HashMap<>();
            for (JsonNode row : JSON.readTree(listed.body())) {
                counts.put(
                        row.get("connector").asText() + ": " + row.get("reason").asText(),
                        row.get("count").asLong());
            }
            assertThat(counts)
                    .containsOnly(
                            Map.entry("open: " + EU_CONSENT, 2L),
                            Map.entry("consented: " + EU_CONSENT, 2L),
                            Map.entry("consented: " + CONNECTOR_CONSENT, 2L));
            assertThat(TestHub.send(HttpRequest.newBuilder(hub.uri("/api/suppressed"))
                                    .GET())
                            .statusCode())
                    .isEqualTo(401);
        }
    }

    @Test
    void includeLeavesEuBuyersToEachConnectorsOwnConsentRule() {
        try (TestHub hub = hub("include")) {
            buyers(hub);
            assertThat(outcome(hub, "eu-consent", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "eu-consent", "consented")).isEqualTo(SENT);
            assertThat(outcome(hub, "eu-none", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "eu-none", "consented")).isEqualTo(CONNECTOR_CONSENT);
            assertThat(outcome(hub, "flag-yes", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "flag-yes", "consented")).isEqualTo(CONNECTOR_CONSENT);
            assertThat(outcome(hub, "us-none", "consented")).isEqualTo(CONNECTOR_CONSENT);
        }
    }

    @Test
    void digistore24sOwnIsGdprCountryWinsOverTheAddressUnderTheDefaultPolicy() {
        try (TestHub hub = hub(null)) {
            hub.postForm(
                    "/ipn/digistore24",
                    Digistore24Forms.from(
                            "digistore24/order-form-entry.form",
                            Map.of(
                                    "order_id",
                                    "DSGDPRY1",
                                    "email",
                                    "gdpr-yes@example.com",
                                    "address_country",
                                    "US",
                                    "is_gdpr_country",
                                    "Y",
                                    "newsletter_choice",
                                    "no")));
            hub.postForm(
                    "/ipn/digistore24",
                    Digistore24Forms.from(
                            "digistore24/order-form-entry.form",
                            Map.of(
                                    "order_id",
                                    "DSGDPRN1",
                                    "email",
                                    "gdpr-no@example.com",
                                    "address_country",
                                    "DE",
                                    "is_gdpr_country",
                                    "N",
                                    "newsletter_choice",
                                    "no")));
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.count("select count(*) from delivery") == 4);
            assertThat(outcome(hub, "gdpr-yes", "open")).isEqualTo(EU_CONSENT);
            assertThat(outcome(hub, "gdpr-yes", "consented")).isEqualTo(EU_CONSENT);
            assertThat(outcome(hub, "gdpr-no", "open")).isEqualTo(SENT);
            assertThat(outcome(hub, "gdpr-no", "consented")).isEqualTo(CONNECTOR_CONSENT);
        }
    }
}
