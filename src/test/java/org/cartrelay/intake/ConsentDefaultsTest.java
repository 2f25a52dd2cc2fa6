package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.notice;

import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.Map;

import org.cartrelay.intake.generic.GenericIntakeTest;
import org.cartrelay.intake.shopify.ShopifyIntakeTest;
import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Consent where the source has it, and {@code cartrelay.sources.<source>.consent-default} where it says nothing
 * (docs/privacy.md): none unless set; {@code newsletter} makes silence consent, never a "no".
 */
class ConsentDefaultsTest {

    @RegisterExtension
    static final SharedHub DEFAULTS = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    @RegisterExtension
    static final SharedHub NEWSLETTER = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h")
            .property("cartrelay.sources.digistore24.consent-default", "newsletter")
            .property("cartrelay.sources.shopify.consent-default", "newsletter")
            .property("cartrelay.sources.generic.consent-default", "newsletter")
            .property("cartrelay.sources.woocommerce.consent-default", "newsletter"));

    /** consent.newsletter of the stored canonical event: true, false, or null when it carries none. */
    private static Boolean consent(TestHub hub, String source, String sourceEventId) {
        JsonNode value =
                notice(hub, source, sourceEventId).orElseThrow().canonicalJson().at("/consent/newsletter");
        return value.isMissingNode() ? null : value.asBoolean();
    }

    private static String woo(String token, String extra) {
        return Fixtures.form("woocommerce/abandoned.form").replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3D" + token)
                + extra;
    }

    private static void postWoo(TestHub hub, String body) {
        HttpResponse<String> response = hub.postForm("/webhooks/woocommerce?token=woo-test-token", body);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    private static void postDs24(TestHub hub, String orderId, String choice) {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("order_id", orderId);
        changes.put("newsletter_choice", choice);
        assertThat(hub.postForm("/ipn/digistore24", Digistore24Forms.from("digistore24/order-form-entry.form", changes))
                        .body())
                .isEqualTo("OK");
    }

    private static void postShopify(TestHub hub, String webhookId, String marketing) {
        String body = Fixtures.text("shopify/checkouts-create.json")
                .replace(
                        "\"buyer_accepts_marketing\": true,",
                        marketing == null ? "" : "\"buyer_accepts_marketing\": " + marketing + ",");
        Map<String, String> headers = new LinkedHashMap<>(Fixtures.headers("shopify/checkouts-create.headers"));
        headers.put("Content-Type", "application/json");
        headers.put("X-Shopify-Webhook-Id", webhookId);
        headers.put("X-Shopify-Hmac-Sha256", ShopifyIntakeTest.hmac(body));
        assertThat(hub.post("/webhooks/shopify", body, headers).statusCode()).isEqualTo(200);
    }

    private static void postGeneric(TestHub hub, String id, String consent) {
        String body = """
                {"type": "checkout.started", "source": "shop", "sourceEventId": "%s",
                 "customer": {"email": "%s@example.net"}%s}""".formatted(id, id, consent == null ? "" : ", \"consent\": {\"newsletter\": " + consent + "}");
        assertThat(GenericIntakeTest.postSigned(hub, id, hub.clock().instant().getEpochSecond(), body)
                        .statusCode())
                .isEqualTo(202);
    }

    @Test
    void wooCommerceReadsItsConsentFieldAndOtherwiseHasNoneByDefault() {
        TestHub hub = DEFAULTS.hub();
        postWoo(hub, woo("c-none", ""));
        postWoo(hub, woo("c-yes", "&newsletter_consent=yes"));
        postWoo(hub, woo("c-no", "&newsletter_consent=no"));
        assertThat(consent(hub, "woocommerce", "abandoned:c-none")).isNull();
        assertThat(consent(hub, "woocommerce", "abandoned:c-yes")).isTrue();
        assertThat(consent(hub, "woocommerce", "abandoned:c-no")).isFalse();
    }

    @Test
    void byDefaultSilenceIsNoConsentForEverySource() {
        TestHub hub = DEFAULTS.hub();
        postDs24(hub, "CD-1", null);
        postShopify(hub, "cd-shopify-1", null);
        postGeneric(hub, "cd-generic-1", null);
        assertThat(consent(hub, "digistore24", "CD-1:order_form_data_entered")).isFalse();
        assertThat(consent(hub, "shopify", "cd-shopify-1")).isNull();
        assertThat(consent(hub, "generic", "shop:cd-generic-1")).isNull();
    }

    @Test
    void consentDefaultNewsletterMakesSilenceConsentButNeverANo() {
        TestHub hub = NEWSLETTER.hub();
        postWoo(hub, woo("n-none", ""));
        postWoo(hub, woo("n-no", "&newsletter_consent=no"));
        postDs24(hub, "CN-1", null);
        postDs24(hub, "CN-2", "no");
        postShopify(hub, "cn-shopify-1", null);
        postShopify(hub, "cn-shopify-2", "false");
        postGeneric(hub, "cn-generic-1", null);
        postGeneric(hub, "cn-generic-2", "false");

        assertThat(consent(hub, "woocommerce", "abandoned:n-none")).isTrue();
        assertThat(consent(hub, "digistore24", "CN-1:order_form_data_entered")).isTrue();
        assertThat(consent(hub, "shopify", "cn-shopify-1")).isTrue();
        assertThat(consent(hub, "generic", "shop:cn-generic-1")).isTrue();

        assertThat(consent(hub, "woocommerce", "abandoned:n-no")).isFalse();
        assertThat(consent(hub, "digistore24", "CN-2:order_form_data_entered")).isFalse();
        assertThat(consent(hub, "shopify", "cn-shopify-2")).isFalse();
        assertThat(consent(hub, "generic", "shop:cn-generic-2")).isFalse();
    }
}
