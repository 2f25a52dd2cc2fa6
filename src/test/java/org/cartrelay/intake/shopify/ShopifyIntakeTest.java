package org.cartrelay.intake.shopify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.notice;
import static org.cartrelay.intake.IntakeTestSupport.notices;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.intake.IntakeTestSupport.StoredNotice;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code /webhooks/shopify}: X-Shopify-Hmac-Sha256 over the raw body, 401 when it does not match. */
public class ShopifyIntakeTest {

    private static final String PATH = "/webhooks/shopify";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** HMAC-SHA256 of the body with the fixture secret, base64, computed here rather than by the hub's code. */
    public static String hmac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Fixtures.SHOPIFY_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> headers(String fixture, String webhookId, String hmac) {
        Map<String, String> headers = new LinkedHashMap<>(Fixtures.headers(fixture));
        headers.put("Content-Type", "application/json");
        if (webhookId != null) {
            headers.put("X-Shopify-Webhook-Id", webhookId);
        }
        if (hmac == null) {
            headers.remove("X-Shopify-Hmac-Sha256");
        } else {
            headers.put("X-Shopify-Hmac-Sha256", hmac);
        }
        return headers;
    }

    private static String checkoutStatus(String ref) {
        return hub().jdbc()
                .sql("select status from checkout where source = 'shopify' and checkout_ref = ?")
                .param(ref)
                .query(String.class)
                .single();
    }

    @Test
    void theCheckoutFixtureIsAcceptedWithItsHmacAndTheOrderFixtureCompletesIt() {
        String body = Fixtures.text("shopify/checkouts-create.json");
        Map<String, String> headers = Fixtures.headers("shopify/checkouts-create.headers");
        HttpResponse<String> response = hub().post(PATH, body, headers);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

        StoredNotice stored =
                notice(hub(), "shopify", "0b6e2c1a-77f4-4b1e-9a2d-5d8c1e0f3a11").orElseThrow();
        assertThat(stored.outcome()).isEqualTo("processed");
        assertThat(stored.eventType()).isEqualTo("checkout.started");
        assertThat(stored.email()).isEqualTo("sam.lee@example.org");
        assertThat(stored.rawBody()).isEqualTo(body);
        JsonNode canonical = stored.canonicalJson();
        assertThat(canonical.at("/checkout/id").asText()).isEqualTo("7c3f0b1e9a1c4c9f8e2d");
        assertThat(canonical.at("/checkout/total").asText()).isEqualTo("84.50");
        assertThat(canonical.at("/checkout/items").size()).isEqualTo(2);
        assertThat(canonical.at("/consent/newsletter").asBoolean()).isTrue();
        assertThat(canonical.at("/customer/address/country").asText()).isEqualTo("US");
        // "address2": "" and "phone": "" were not filled in: absent
        assertThat(canonical.at("/customer").has("phone")).isFalse();
        assertThat(canonicalOccurredAt(canonical)).isEqualTo("2026-11-20T15:17:42Z");
        assertThat(checkoutStatus("7c3f0b1e9a1c4c9f8e2d")).isEqualTo("pending");

        HttpResponse<String> order = hub().post(
                        PATH,
                        Fixtures.text("shopify/orders-create.json"),
                        Fixtures.headers("shopify/orders-create.headers"));
        assertThat(order.statusCode()).as(order.body()).isEqualTo(200);
        StoredNotice completed =
                notice(hub(), "shopify", "9d1f3e5a-0c2b-4a6d-8e7f-1a2b3c4d5e6f").orElseThrow();
        assertThat(completed.outcome()).isEqualTo("processed");
        assertThat(completed.eventType()).isEqualTo("order.completed");
        assertThat(checkoutStatus("7c3f0b1e9a1c4c9f8e2d")).isEqualTo("converted");
    }

    private static String canonicalOccurredAt(JsonNode canonical) {
        return canonical.get("occurredAt").asText();
    }

    @Test
    void aWrongHmacIsRefusedWith401AndNothingIsStored() {
        String body = Fixtures.text("shopify/checkouts-create.json");
        String wrong = hmac(body + " ");
        HttpResponse<String> refused =
                hub().post(PATH, body, headers("shopify/checkouts-create.headers", "wrong-1", wrong));
        assertThat(refused.statusCode()).isEqualTo(401);

        assertThat(hub().post(PATH, body, headers("shopify/checkouts-create.headers", "wrong-2", null))
                        .statusCode())
                .isEqualTo(401);
        assertThat(hub().post(PATH, body, headers("shopify/checkouts-create.headers", "wrong-3", "not base64!"))
                        .statusCode())
                .isEqualTo(401);
        // the fixture's HMAC with its first character changed
        assertThat(hub().post(
                                PATH,
                                body,
                                headers(
                                        "shopify/checkouts-create.headers",
                                        "wrong-4",
                                        "OnGsyLT/iwcbeKZe098cSwI3nn3TtLIsg9et5PAJKvM="))
                        .statusCode())
                .isEqualTo(401);

        for (String id : new String[] {"wrong-1", "wrong-2", "wrong-3", "wrong-4"}) {
            assertThat(notices(hub(), "shopify", id)).as(id).isZero();
        }
    }

    @Test
    void aBodyChangedByOneByteIsRefusedWith401() {
        String body = Fixtures.text("shopify/checkouts-create.json");
        String original = Fixtures.headers("shopify/checkouts-create.headers").get("X-Shopify-Hmac-Sha256");
        assertThat(hmac(body)).isEqualTo(original);

        String changed = body.replace("\"total_price\": \"84.50\"", "\"total_price\": \"84.51\"");
        assertThat(changed.length()).isEqualTo(body.length());
        assertThat(changed).isNotEqualTo(body);
        assertThat(hub().post(PATH, changed, headers("shopify/checkouts-create.headers", "one-byte-1", original))
                        .statusCode())
                .isEqualTo(401);

        String trailingNewline = body + "\n";
        assertThat(hub().post(
                                PATH,
                                trailingNewline,
                                headers("shopify/checkouts-create.headers", "one-byte-2", original))
                        .statusCode())
                .isEqualTo(401);

        assertThat(notices(hub(), "shopify", "one-byte-1")).isZero();
        assertThat(notices(hub(), "shopify", "one-byte-2")).isZero();
    }

    @Test
    void checkoutsWithoutEmailOrAlreadyCompletedAreStoredAsIgnored() {
        String noEmail = """
                {"id": 1, "token": "tok-noemail", "email": null, "completed_at": null, "line_items": []}""";
        String completed = """
                {"id": 2, "token": "tok-done", "email": "done@example.org", "completed_at": "2026-11-20T10:00:00Z"}""";
        assertThat(hub().post(PATH, noEmail, headers("shopify/checkouts-create.headers", "ign-1", hmac(noEmail)))
                        .statusCode())
                .isEqualTo(200);
        assertThat(hub().post(PATH, completed, headers("shopify/checkouts-create.headers", "ign-2", hmac(completed)))
                        .statusCode())
                .isEqualTo(200);
        assertThat(notice(hub(), "shopify", "ign-1").orElseThrow().outcome()).isEqualTo("ignored");
        assertThat(notice(hub(), "shopify", "ign-2").orElseThrow().outcome()).isEqualTo("ignored");
        assertThat(hub().count("select count(*) from checkout where checkout_ref in ('tok-noemail', 'tok-done')"))
                .isZero();
    }
}
