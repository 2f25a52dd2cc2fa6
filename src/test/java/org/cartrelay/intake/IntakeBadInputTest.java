package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cartrelay.intake.IntakeTestSupport.json;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cartrelay.intake.IntakeTestSupport.StoredNotice;
import org.cartrelay.intake.generic.GenericIntakeTest;
import org.cartrelay.intake.shopify.ShopifyIntakeTest;
import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.RawHttp;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Bad input at every intake is a documented 4xx with an {@code application/problem+json} body, or, where the source
 * retries anything but 2xx, the source's own "stored as rejected" answer; never a 5xx, and it changes nothing that
 * was already kept.
 */
class IntakeBadInputTest {

    private static final String WOO = "/webhooks/woocommerce";
    private static final String TOKEN = "woo-test-token";

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    /** Every kept notice and checkout, one text a row: bad input may add a rejected notice, never change a row. */
    static Set<String> stored(TestHub hub) {
        Set<String> rows = new HashSet<>(hub.jdbc()
                .sql("select id, source, source_event_id, outcome, reason, canonical from notice")
                .query((rs, row) -> String.join(
                        "|",
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        String.valueOf(rs.getString(5)),
                        String.valueOf(rs.getString(6))))
                .list());
        rows.addAll(hub.jdbc()
                .sql("select id, status, checkout_ref, email, product_ref, started_event from checkout")
                .query((rs, row) -> "checkout|" + rs.getString(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|"
                        + rs.getString(4) + "|" + rs.getString(5) + "|" + rs.getString(6))
                .list());
        return rows;
    }

    private static long checkouts() {
        return hub().count("select count(*) from checkout");
    }

    /** The one notice whose raw body is this one. */
    private static StoredNotice byBody(String source, String body) {
        List<StoredNotice> found = hub().jdbc()
                .sql("select " + IntakeTestSupport.NOTICE_COLUMNS + " from notice where source = ? and raw_body = ?")
                .params(source, body)
                .query(IntakeTestSupport::storedNotice)
                .list();
        assertThat(found).as("notices of %s with that body", source).hasSize(1);
        return found.get(0);
    }

    private static void assertRejectedOk(HttpResponse<String> response, String source, String body, String reason) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("OK");
        StoredNotice stored = byBody(source, body);
        assertThat(stored.outcome()).as(stored.reason()).isEqualTo("rejected");
        assertThat(stored.reason()).contains(reason);
        assertThat(stored.sourceEventId().length()).isLessThanOrEqualTo(255);
    }

    private static String ds24(Map<String, String> changes) {
        return Digistore24Forms.from("digistore24/order-form-entry.form", changes);
    }

    private static String shopifyCheckout(String token, String from, String to) {
        return Fixtures.text("shopify/checkouts-create.json")
                .replace("\"token\": \"7c3f0b1e9a1c4c9f8e2d\"", "\"token\": \"" + token + "\"")
                .replace(from, to);
    }

    private static HttpResponse<String> shopify(String body) {
        return hub().post(
                        "/webhooks/shopify",
                        body,
                        Map.of(
                                "Content-Type",
                                "application/json",
                                "X-Shopify-Topic",
                                "checkouts/create",
                                "X-Shopify-Hmac-Sha256",
                                ShopifyIntakeTest.hmac(body),
                                "X-Shopify-Webhook-Id",
                                "bad-" + Integer.toHexString(body.hashCode())));
    }

    private static String woo(String token, String from, String to) {
        return Fixtures.form("woocommerce/abandoned.form")
                .replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3D" + token)
                .replace(from, to);
    }

    private static String generic(String sourceEventId, String from, String to) {
        return """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "12.00", "resumeUrl": "https://shop.example/c",
                              "items": [{"productId": "p-1", "quantity": 2, "unitPrice": "6.00"}]},
                 "customer": {"email": "%s@example.net"}}""".formatted(sourceEventId, sourceEventId, sourceEventId).replace(from, to);
    }

    private static HttpResponse<String> postGeneric(String id, String body) {
        return GenericIntakeTest.postSigned(hub(), id, hub().clock().instant().getEpochSecond(), body);
    }

    @Test
    void digistore24OutOfBoundsIsOkAndStoredAsRejectedWithTheReason() {
        Set<String> before = stored(hub());
        long checkoutsBefore = checkouts();
        String longId = "X".repeat(300);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(ds24(Map.of("order_id", longId)), "checkout.id at most 200 characters");
        cases.put(ds24(Map.of("order_id", "DS-B2", "product_id", longId)), "productId at most 200 characters");
        cases.put(ds24(Map.of("order_id", "DS-B3", "amount", "1e999999999")), "checkout.total money has at most 12");
        cases.put(ds24(Map.of("order_id", "DS-B4", "amount", "1234567890123.00")), "checkout.total");
        cases.put(ds24(Map.of("order_id", "DS-B4b", "amount", "1E+2147483647")), "checkout.total");
        cases.put(ds24(Map.of("order_id", "DS-B5", "amount", "1.00001")), "checkout.total");
        cases.put(ds24(Map.of("order_id", "DS-B6", "quantity", "99999999999")), "quantity a whole number");
        cases.put(ds24(Map.of("order_id", "DS-B7", "checkout_url", "not a url")), "resumeUrl an absolute http");
        cases.put(ds24(Map.of("order_id", "DS-B9", "address_first_name", "J".repeat(200_000))), "firstName");
        cases.forEach((body, reason) ->
                assertRejectedOk(hub().postForm("/ipn/digistore24", body), "digistore24", body, reason));
        assertThat(stored(hub())).containsAll(before);
        // an event name of any length still makes a key that fits its column
        String longEvent = ds24(Map.of("order_id", "DS-B8", "event", "e".repeat(5000)));
        assertThat(hub().postForm("/ipn/digistore24", longEvent).body()).isEqualTo("OK");
        StoredNotice hashed = byBody("digistore24", longEvent);
        assertThat(hashed.outcome()).isEqualTo("processed");
        assertThat(hashed.sourceEventId()).matches("sha256-[0-9a-f]{64}");
        // at the bounds it is kept
        String atBounds = ds24(Map.of(
                "order_id",
                "DS-OK1",
                "amount",
                "999999999999.9999",
                "quantity",
                "1000000",
                "product_id",
                "P".repeat(200)));
        assertThat(hub().postForm("/ipn/digistore24", atBounds).body()).isEqualTo("OK");
        assertThat(byBody("digistore24", atBounds).outcome()).isEqualTo("processed");
        // an amount that is no number is left out, as a short one always was, however long it is
        String unreadable = ds24(Map.of("order_id", "DS-OK2", "amount", "x".repeat(150)));
        assertThat(hub().postForm("/ipn/digistore24", unreadable).body()).isEqualTo("OK");
        StoredNotice withoutTotal = byBody("digistore24", unreadable);
        assertThat(withoutTotal.outcome()).isEqualTo("processed");
        assertThat(withoutTotal.canonicalJson().at("/checkout/total").isMissingNode())
                .isTrue();
        assertThat(checkouts()).isEqualTo(checkoutsBefore + 3);
    }

    @Test
    void shopifyOutOfBoundsIsOkAndStoredAsRejected() {
        Set<String> before = stored(hub());
        long checkoutsBefore = checkouts();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(shopifyCheckout("S".repeat(300), "x", "x"), "checkout.id at most 200 characters");
        cases.put(
                shopifyCheckout("sb-2", "\"total_price\": \"84.50\"", "\"total_price\": \"1e999999999\""),
                "checkout.total");
        cases.put(
                shopifyCheckout("sb-3", "\"total_price\": \"84.50\"", "\"total_price\": 1e999999999"),
                "a number may have at most 20 digits");
        cases.put(shopifyCheckout("sb-4", "\"quantity\": 2", "\"quantity\": 99999999999"), "quantity");
        cases.put(shopifyCheckout("sb-5", "\"quantity\": 2", "\"quantity\": \"99999999999999999999999\""), "quantity");
        cases.put(
                shopifyCheckout("sb-6", "\"product_id\": 8811223399", "\"product_id\": \"" + "9".repeat(300) + "\""),
                "productId at most 200");
        cases.put(
                shopifyCheckout("sb-7", "\"abandoned_checkout_url\": \"https:", "\"abandoned_checkout_url\": \"ht tp:"),
                "resumeUrl");
        cases.put("[".repeat(5000) + "]".repeat(5000), "not a JSON object");
        // an exponent beyond int fails in Jackson's number parser, not its tokenizer
        cases.put(shopifyCheckout("sb-8", "\"quantity\": 2", "\"quantity\": 1E+99999999999"), "not a JSON object");
        cases.forEach((body, reason) -> assertRejectedOk(shopify(body), "shopify", body, reason));
        assertThat(stored(hub())).containsAll(before);
        assertThat(checkouts()).isEqualTo(checkoutsBefore);
    }

    @Test
    void wooCommerceOddAddressesAndUrlsNeverFail() {
        Set<String> before = stored(hub());
        long checkoutsBefore = checkouts();
        // a billing address of "," has no country but is an address
        String comma = woo("wb1", "billing_address=88+Market", "billing_address=%2C&x=88+Market");
        HttpResponse<String> response = hub().postForm(WOO + "?token=" + TOKEN, comma);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(byBody("woocommerce", comma).outcome()).isEqualTo("processed");
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(woo("wb2", "checkout_url=https%3A%2F%2F", "checkout_url=%3A%3Anot+a+url%2F"), "resumeUrl");
        cases.put(woo("wb3", "checkout_url=https%3A%2F%2F", "checkout_url=https%3A%2F%2F%5B%2F"), "resumeUrl");
        cases.put(woo("wb4", "cart_total=149.00", "cart_total=1e999999999"), "checkout.total");
        cases.put(woo("W".repeat(300), "x", "x"), "checkout.id at most 200");
        cases.forEach((body, reason) ->
                assertRejectedOk(hub().postForm(WOO + "?token=" + TOKEN, body), "woocommerce", body, reason));
        Set<String> after = stored(hub());
        assertThat(after).containsAll(before);
        assertThat(checkouts()).isEqualTo(checkoutsBefore + 1);
    }

    @Test
    void genericOutOfBoundsIs422NamingTheField() {
        Set<String> before = stored(hub());
        // answered at once: the number never reaches the schema validator
        JsonNode problem = assertProblem(postGeneric("gb-1", "{\"type\": 1e999999999}"), 422);
        assertThat(problem.get("errors").get(0).get("field").asText()).isEqualTo("type");
        assertProblem(postGeneric("gb-1b", "{\"type\": 1E+99999999999}"), 400);
        // precision minus scale overflows int here
        assertProblem(postGeneric("gb-1c", "{\"type\": 1E+2147483647}"), 422);
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put(generic("gb-2", "\"quantity\": 2", "\"quantity\": 1e20"), "checkout.items[0].quantity");
        cases.put(generic("gb-3", "\"quantity\": 2", "\"quantity\": 99999999999"), "checkout.items[0].quantity");
        cases.put(generic("gb-4", "\"total\": \"12.00\"", "\"total\": \"1234567890123.00\""), "checkout.total");
        cases.put(generic("gb-5", "\"total\": \"12.00\"", "\"total\": \"1.00001\""), "checkout.total");
        cases.put(generic("gb-6", "https://shop.example/c", "javascript:alert(1)"), "checkout.resumeUrl");
        cases.put(generic("gb-7", "\"p-1\"", "\"" + "p".repeat(300) + "\""), "checkout.items[0].productId");
        cases.put(generic("gb-8", "\"source\": \"test-shop\"", "\"source\": \"" + "s".repeat(65) + "\""), "source");
        cases.put(
                generic(
                        "gb-9",
                        "\"customer\": {",
                        "\"attributes\": {\"" + "a".repeat(65) + "\": \"v\"}, \"customer\": {"),
                "attributes");
        cases.forEach((body, field) -> {
            JsonNode refused = assertProblem(postGeneric("msg-" + Integer.toHexString(body.hashCode()), body), 422);
            assertThat(refused.get("errors").toString()).contains(field);
        });
        assertProblem(
                postGeneric(
                        "gb-deep",
                        "{\"type\": \"checkout.started\", \"attributes\": " + "{\"a\": ".repeat(100) + "1"
                                + "}".repeat(101)),
                400);
        assertThat(stored(hub())).isEqualTo(before);
        // a 200-character source event id with a long source still fits its column
        String longest = generic("i".repeat(200), "\"source\": \"test-shop\"", "\"source\": \"" + "s".repeat(64) + "\"")
                .replace("i".repeat(200) + "@", "longest@");
        HttpResponse<String> accepted = postGeneric("gb-ok", longest);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }

    static JsonNode assertProblem(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type"))
                .as(response.body())
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        JsonNode problem = json(response.body());
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("title").asText()).isNotBlank();
        assertThat(problem.get("detail").asText()).isNotBlank();
        return problem;
    }

    private static HttpResponse<String> wooWithHeader(String body) {
        return TestHub.send(HttpRequest.newBuilder(hub().uri(WOO))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-CartRelay-Token", TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void aMalformedPercentEscapeIsA400ProblemBeforeAnySignatureAndNothingIsKept() {
        Set<String> before = stored(hub());
        String ds24 = Fixtures.form("digistore24/order-form-entry.form");
        for (String broken : List.of(
                ds24.replace("amount=197.00", "amount=%zz"),
                ds24 + "&x=%",
                ds24 + "&%G1=1",
                ds24.replace("email=jane.doe%40", "email=jane.doe%4%40"))) {
            JsonNode problem = assertProblem(hub().postForm("/ipn/digistore24", broken), 400);
            assertThat(problem.get("detail").asText())
                    .contains("percent-escape")
                    .doesNotContain("%zz");
        }
        String woo = Fixtures.form("woocommerce/abandoned.form")
                .replace("wcf_ac_token%3Dabc123", "wcf_ac_token%3Dmalformed1");
        assertProblem(hub().postForm(WOO + "?token=" + TOKEN, woo + "&cart_total=%E"), 400);
        assertProblem(wooWithHeader(woo.replace("first_name=Ana", "first_name=%%41na")), 400);
        // the token cannot be read from a malformed query: refused before the token is compared
        RawHttp.Response raw = RawHttp.post(
                hub().port(),
                WOO + "?token=" + TOKEN + "&x=%zz",
                Map.of("Content-Type", "application/x-www-form-urlencoded"),
                woo.getBytes(StandardCharsets.UTF_8),
                Duration.ofSeconds(10));
        assertThat(raw.status()).as(raw.body()).isEqualTo(400);
        assertThat(raw.header("Content-Type")).startsWith("application/problem+json");
        assertThat(json(raw.body()).get("detail").asText()).contains("percent-escape");
        assertThat(stored(hub())).isEqualTo(before);
    }

    @Test
    void aNulByteInABodyIsA400AndADecodedNulIsOutOfBounds() {
        Set<String> before = stored(hub());
        long checkoutsBefore = checkouts();
        // raw: neither JSON nor a form body may hold one, and PostgreSQL text cannot
        String ds24 = Fixtures.form("digistore24/order-form-entry.form");
        assertThat(assertProblem(hub().postForm("/ipn/digistore24", ds24 + "&x=a\u0000b"), 400)
                        .get("detail")
                        .asText())
                .contains("NUL byte");
        assertProblem(shopify(shopifyCheckout("nul-1", "\"currency\"", "\u0000\"currency\"")), 400);
        assertProblem(postGeneric("nul-2", generic("nul-2", "\"type\"", "\u0000\"type\"")), 400);
        assertProblem(wooWithHeader(woo("nul3", "first_name=Ana", "first_name=A\u0000na")), 400);
        assertThat(stored(hub())).isEqualTo(before);

        // decoded into a value (an id, a name, the dedupe key): out of bounds, as the source answers those
        String ds24Nul = ds24(Map.of("order_id", "DSNUL\u00001", "first_name", "Ja\u0000ne"));
        assertRejectedOk(hub().postForm("/ipn/digistore24", ds24Nul), "digistore24", ds24Nul, "no NUL character");
        String shopifyNul = shopifyCheckout("nul\\u00004", "x", "x");
        assertRejectedOk(shopify(shopifyNul), "shopify", shopifyNul, "checkout.id no NUL character");
        String wooNul = woo("nul5", "first_name=Ana", "first_name=A%00na");
        assertRejectedOk(wooWithHeader(wooNul), "woocommerce", wooNul, "no NUL character");
        String genericNul = generic("nul-6", "\"p-1\"", "\"p\\u00001\"");
        JsonNode problem = assertProblem(postGeneric("nul-6", genericNul), 422);
        assertThat(problem.toString()).contains("checkout.items[0].productId").contains("no NUL character");
        assertThat(stored(hub())).containsAll(before);
        assertThat(checkouts()).isEqualTo(checkoutsBefore);
    }

    @Test
    void signatureAndTokenRefusalsAreProblemsToo() {
        assertProblem(hub().postForm("/ipn/digistore24", Fixtures.form("digistore24/bad-signature.form")), 403);
        assertProblem(
                hub().post(
                                "/webhooks/shopify",
                                Fixtures.text("shopify/checkouts-create.json"),
                                Map.of(
                                        "Content-Type",
                                        "application/json",
                                        "X-Shopify-Topic",
                                        "checkouts/create",
                                        "X-Shopify-Hmac-Sha256",
                                        "bm9wZQ==")),
                401);
        assertProblem(hub().postForm(WOO + "?token=nope", Fixtures.form("woocommerce/abandoned.form")), 401);
        assertProblem(hub().post("/events", "{}", Map.of("Content-Type", "application/json")), 401);
    }
}
