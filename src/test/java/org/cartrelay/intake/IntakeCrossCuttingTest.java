package org.cartrelay.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cartrelay.intake.IntakeTestSupport.json;
import static org.cartrelay.intake.IntakeTestSupport.notice;
import static org.cartrelay.intake.IntakeTestSupport.notices;

import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.cartrelay.intake.generic.GenericIntakeTest;
import org.cartrelay.intake.shopify.ShopifyIntakeTest;
import org.cartrelay.ops.HubMetrics;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.SharedHub;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.dao.DataIntegrityViolationException;

/** What every intake endpoint shares: dedupe, the body limit, disabled sources, the raw body. */
class IntakeCrossCuttingTest {

    /** The default cartrelay.intake.max-body, 256 KiB. */
    private static final int MAX_BODY = 256 * 1024;

    @RegisterExtension
    static final SharedHub SHARED = new SharedHub(hub -> hub.property("cartrelay.abandonment.delay", "1h"));

    private static TestHub hub() {
        return SHARED.hub();
    }

    private static long now() {
        return hub().clock().instant().getEpochSecond();
    }

    private static String genericEvent(String key, String pad) {
        return """
                {"type": "checkout.started", "source": "cross", "sourceEventId": "%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "10.00"},
                 "customer": {"email": "%s@example.net"},
                 "attributes": {"pad": "%s"}}""".formatted(key, key, key, pad);
    }

    /** A generic event padded to exactly {@code size} bytes. */
    private static String genericEventOfSize(String key, int size) {
        String base = genericEvent(key, "");
        int missing = size - base.getBytes(StandardCharsets.UTF_8).length;
        String body = genericEvent(key, "x".repeat(missing));
        assertThat(body.getBytes(StandardCharsets.UTF_8)).hasSize(size);
        return body;
    }

    @Test
    void theSameNoticeTwiceGetsTheSameAnswerAndIsStoredOnce() {
        // Digistore24
        String ds24 = Fixtures.form("digistore24/order-form-entry.form");
        HttpResponse<String> first = hub().postForm("/ipn/digistore24", ds24);
        HttpResponse<String> second = hub().postForm("/ipn/digistore24", ds24);
        assertThat(List.of(first.statusCode(), second.statusCode())).containsExactly(200, 200);
        assertThat(second.body()).isEqualTo(first.body()).isEqualTo("OK");
        assertThat(notices(hub(), "digistore24", "DSX7K2M9:order_form_data_entered"))
                .isEqualTo(1);

        // Shopify, deduplicated on X-Shopify-Webhook-Id
        String shopify = Fixtures.text("shopify/checkouts-create.json");
        Map<String, String> shopifyHeaders = Fixtures.headers("shopify/checkouts-create.headers");
        HttpResponse<String> shopifyFirst = hub().post("/webhooks/shopify", shopify, shopifyHeaders);
        HttpResponse<String> shopifySecond = hub().post("/webhooks/shopify", shopify, shopifyHeaders);
        assertThat(List.of(shopifyFirst.statusCode(), shopifySecond.statusCode()))
                .containsExactly(200, 200);
        assertThat(shopifySecond.body()).isEqualTo(shopifyFirst.body());
        assertThat(notices(hub(), "shopify", "0b6e2c1a-77f4-4b1e-9a2d-5d8c1e0f3a11"))
                .isEqualTo(1);

        // generic: the same 202 and the same notice id, even with a new webhook-id and timestamp
        String event = genericEvent("dup-1", "");
        HttpResponse<String> genericFirst = GenericIntakeTest.postSigned(hub(), "msg-dup-1", now(), event);
        HttpResponse<String> genericSecond = GenericIntakeTest.postSigned(hub(), "msg-dup-1-retry", now() - 10, event);
        assertThat(List.of(genericFirst.statusCode(), genericSecond.statusCode()))
                .containsExactly(202, 202);
        assertThat(json(genericSecond.body()).get("id").asText())
                .isEqualTo(json(genericFirst.body()).get("id").asText());
        assertThat(notices(hub(), "generic", "cross:dup-1")).isEqualTo(1);
        assertThat(notice(hub(), "generic", "cross:dup-1").orElseThrow().id())
                .isEqualTo(json(genericFirst.body()).get("id").asText());

        // WooCommerce
        String woo = Fixtures.form("woocommerce/abandoned.form");
        HttpResponse<String> wooFirst = hub().postForm("/webhooks/woocommerce?token=woo-test-token", woo);
        HttpResponse<String> wooSecond = hub().postForm("/webhooks/woocommerce?token=woo-test-token", woo);
        assertThat(List.of(wooFirst.statusCode(), wooSecond.statusCode())).containsExactly(200, 200);
        assertThat(notices(hub(), "woocommerce", "abandoned:abc123")).isEqualTo(1);

        // a repeat is not processed again: one checkout each
        for (String[] checkout : new String[][] {
            {"digistore24", "DSX7K2M9"},
            {"shopify", "7c3f0b1e9a1c4c9f8e2d"},
            {"generic", "dup-1"},
            {"woocommerce", "abc123"}
        }) {
            assertThat(hub().count("select count(*) from checkout where source = ? and checkout_ref = ?", (Object[])
                            checkout))
                    .as(String.join(":", checkout))
                    .isEqualTo(1);
        }

        // the database itself refuses a second row for the same source and source event id
        assertThatThrownBy(() -> hub().jdbc()
                        .sql("""
                insert into notice (id, source, source_event_id, received_at, raw_body, outcome)
                values ('ntc_duplicate', 'generic', 'cross:dup-1', ?, '{}', 'processed')""")
                        .param(java.sql.Timestamp.from(Instant.now()))
                        .update())
                .isInstanceOf(DataIntegrityViolationException.class);
        assertThat(notices(hub(), "generic", "cross:dup-1")).isEqualTo(1);
    }

    @Test
    void theSameNoticeSentConcurrentlyGetsTheSameAnswerEveryTimeAndIsStoredOnce() throws Exception {
        String event = genericEvent("concurrent-1", "");
        int senders = 8;
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < senders; i++) {
                String webhookId = "msg-concurrent-" + i;
                answers.add(CompletableFuture.supplyAsync(
                        () -> GenericIntakeTest.postSigned(hub(), webhookId, now(), event), pool));
            }
            List<String> ids = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                ids.add(json(response.body()).get("id").asText());
            }
            assertThat(ids)
                    .containsOnly(notice(hub(), "generic", "cross:concurrent-1")
                            .orElseThrow()
                            .id());
            assertThat(notices(hub(), "generic", "cross:concurrent-1")).isEqualTo(1);
            assertThat(hub().count("select count(*) from checkout where checkout_ref = 'concurrent-1'"))
                    .isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aBodyOverTheLimitGets413AndNothingIsStored() {
        long before = hub().count("select count(*) from notice");

        // exactly at the limit is fine
        String atLimit = genericEventOfSize("size-at-limit", MAX_BODY);
        HttpResponse<String> accepted = GenericIntakeTest.postSigned(hub(), "msg-size-at-limit", now(), atLimit);
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        assertThat(notices(hub(), "generic", "cross:size-at-limit")).isEqualTo(1);

        // one byte more, correctly signed, is not
        String over = genericEventOfSize("size-over", MAX_BODY + 1);
        assertThat(GenericIntakeTest.postSigned(hub(), "msg-size-over", now(), over)
                        .statusCode())
                .isEqualTo(413);

        // nor when it comes chunked, without a Content-Length to refuse it by
        long ts = now();
        HttpRequest.Builder chunked = HttpRequest.newBuilder(hub().uri("/events"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(over.getBytes(StandardCharsets.UTF_8))));
        GenericIntakeTest.headers("msg-size-over", ts, GenericIntakeTest.sign("msg-size-over", ts, over))
                .forEach(chunked::header);
        assertThat(TestHub.send(chunked).statusCode()).isEqualTo(413);

        // the other sources, each correctly signed
        String shopify =
                "{\"email\": \"big@example.org\", \"token\": \"big-1\", \"note\": \"" + "x".repeat(MAX_BODY) + "\"}";
        Map<String, String> shopifyHeaders = new LinkedHashMap<>(Fixtures.headers("shopify/checkouts-create.headers"));
        shopifyHeaders.put("X-Shopify-Webhook-Id", "big-1");
        shopifyHeaders.put("X-Shopify-Hmac-Sha256", ShopifyIntakeTest.hmac(shopify));
        assertThat(hub().post("/webhooks/shopify", shopify, shopifyHeaders).statusCode())
                .isEqualTo(413);

        String ds24 = IntakeTestSupport.signedForm(
                List.of(
                        Map.entry("event", "order_form_data_entered"),
                        Map.entry("order_id", "BIG1"),
                        Map.entry("email", "big@example.org"),
                        Map.entry("custom", "x".repeat(MAX_BODY))),
                Fixtures.DIGISTORE24_PASSPHRASE,
                false);
        assertThat(hub().postForm("/ipn/digistore24", ds24).statusCode()).isEqualTo(413);

        String woo = Fixtures.form("woocommerce/abandoned.form") + "&product_table=" + "x".repeat(MAX_BODY);
        assertThat(hub().postForm("/webhooks/woocommerce?token=woo-test-token", woo)
                        .statusCode())
                .isEqualTo(413);

        assertThat(hub().count("select count(*) from notice")).isEqualTo(before + 1);
        assertThat(notices(hub(), "generic", "cross:size-over")).isZero();
    }

    @Test
    void aWrongMethodGets405NamingTheAllowedOnesAndRefusalsAreCountedPerSource() {
        HttpResponse<String> put = TestHub.send(
                HttpRequest.newBuilder(hub().uri("/webhooks/shopify")).PUT(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(put.statusCode()).isEqualTo(405);
        assertThat(put.headers().firstValue("Allow")).hasValue("POST");
        HttpResponse<String> delete = TestHub.send(
                HttpRequest.newBuilder(hub().uri("/ipn/digistore24")).DELETE());
        assertThat(delete.statusCode()).isEqualTo(405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, POST");

        HubMetrics metrics = hub().bean(HubMetrics.class);
        double before = metrics.notices("refused");
        Map<String, String> headers = new LinkedHashMap<>(Fixtures.headers("shopify/checkouts-create.headers"));
        headers.put("X-Shopify-Hmac-Sha256", ShopifyIntakeTest.hmac("a different body"));
        HttpResponse<String> forged =
                hub().post("/webhooks/shopify", Fixtures.text("shopify/checkouts-create.json"), headers);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(metrics.notices("refused")).isEqualTo(before + 1);
        assertThat(hub().bean(io.micrometer.core.instrument.MeterRegistry.class)
                        .find("cartrelay.notices")
                        .tag("source", "shopify")
                        .tag("outcome", "refused")
                        .counter()
                        .count())
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void aSourceWithoutItsSecretIsDisabledWith404() {
        try (TestDatabase blankDatabase = TestDatabase.create();
                TestHub blank = TestHub.on(blankDatabase)
                        .property("cartrelay.sources.digistore24.passphrase", "")
                        .property("cartrelay.sources.shopify.secret", "")
                        .property("cartrelay.sources.generic.secret", "")
                        .property("cartrelay.sources.woocommerce.token", "")
                        .start()) {
            assertThat(blank.get("/ipn/digistore24").statusCode()).isEqualTo(404);
            assertThat(blank.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"))
                            .statusCode())
                    .isEqualTo(404);
            assertThat(blank.postForm("/ipn/digistore24", Fixtures.form("digistore24/connection-test.form"))
                            .statusCode())
                    .isEqualTo(404);
            assertThat(blank.post(
                                    "/webhooks/shopify",
                                    Fixtures.text("shopify/checkouts-create.json"),
                                    Fixtures.headers("shopify/checkouts-create.headers"))
                            .statusCode())
                    .isEqualTo(404);
            String event = genericEvent("disabled-1", "");
            long ts = blank.clock().instant().getEpochSecond();
            assertThat(blank.post(
                                    "/events",
                                    event,
                                    GenericIntakeTest.headers(
                                            "msg-disabled-1", ts, GenericIntakeTest.sign("msg-disabled-1", ts, event)))
                            .statusCode())
                    .isEqualTo(404);
            assertThat(blank.postForm("/webhooks/woocommerce", Fixtures.form("woocommerce/abandoned.form"))
                            .statusCode())
                    .isEqualTo(404);
            // never open: an empty token does not match an empty configured token
            assertThat(blank.postForm("/webhooks/woocommerce?token=", Fixtures.form("woocommerce/abandoned.form"))
                            .statusCode())
                    .isEqualTo(404);

            assertThat(blank.count("select count(*) from notice")).isZero();
            assertThat(blank.count("select count(*) from checkout")).isZero();
        }
    }

    @Test
    void theRawBodyIsStoredByteForByte() {
        // odd spacing, CRLF, tabs, non-ASCII, escapes and empty strings the canonical form drops
        String event = "{\r\n\t\"type\" : \"checkout.started\",  \"source\":\"cross\",\"sourceEventId\":\"raw-1\",\r\n"
                + "  \"customer\": {\"email\": \"zoë.ßtraße@example.net\", \"firstName\": \"Zoë \\u00e9 😀\","
                + " \"lastName\": \"\"},\n  \"checkout\": {\"id\": \"raw-1\", \"total\": \"1.50\"}\n}\n\n";
        HttpResponse<String> response = GenericIntakeTest.postSigned(hub(), "msg-raw-1", now(), event);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        String stored = notice(hub(), "generic", "cross:raw-1").orElseThrow().rawBody();
        assertThat(stored.getBytes(StandardCharsets.UTF_8)).isEqualTo(event.getBytes(StandardCharsets.UTF_8));
        assertThat(notice(hub(), "generic", "cross:raw-1")
                        .orElseThrow()
                        .canonicalJson()
                        .at("/customer/firstName")
                        .asText())
                .isEqualTo("Zoë é 😀");

        String form = IntakeTestSupport.signedForm(
                List.of(
                        Map.entry("event", "order_form_data_entered"),
                        Map.entry("order_id", "RAW1"),
                        Map.entry("email", "raw1@example.org"),
                        Map.entry("address_first_name", "Zoë Ünal"),
                        Map.entry("address_city", ""),
                        Map.entry("custom", "a+b=c&d ~*'()")),
                Fixtures.DIGISTORE24_PASSPHRASE,
                false);
        assertThat(hub().postForm("/ipn/digistore24", form).statusCode()).isEqualTo(200);
        assertThat(notice(hub(), "digistore24", "RAW1:order_form_data_entered")
                        .orElseThrow()
                        .rawBody()
                        .getBytes(StandardCharsets.UTF_8))
                .isEqualTo(form.getBytes(StandardCharsets.UTF_8));

        String shopify = Fixtures.text("shopify/orders-create.json");
        Map<String, String> headers = new LinkedHashMap<>(Fixtures.headers("shopify/orders-create.headers"));
        headers.put("X-Shopify-Webhook-Id", "raw-shopify-1");
        assertThat(hub().post("/webhooks/shopify", shopify, headers).statusCode())
                .isEqualTo(200);
        assertThat(notice(hub(), "shopify", "raw-shopify-1")
                        .orElseThrow()
                        .rawBody()
                        .getBytes(StandardCharsets.UTF_8))
                .isEqualTo(shopify.getBytes(StandardCharsets.UTF_8));
    }
}
