package org.cartrelay.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The enrichment of every {@code checkout.abandoned}, read from the stored outbound event: the
 * repeat count and segment, the value tier, product segments, the resume link (the shop's own, else the template
 * with URL-encoded placeholders), coupons from the pool file, and one abandoned event for a burst of checkouts.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnrichmentTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String TEMPLATE = "https://shop.example/back?e={email}&p={productId}&c={checkoutId}&k={coupon}";

    private TestDatabase database;
    private TestHub hub;
    private Path pool;

    @BeforeAll
    void startHub() throws IOException {
        database = TestDatabase.create();
        pool = Files.createTempFile("coupons", ".txt");
        Files.writeString(
                pool,
                "# codes from the shop\n"
                        + IntStream.rangeClosed(1, 50)
                                .mapToObj(i -> "SAVE-%03d".formatted(i))
                                .collect(Collectors.joining("\n", "", "\n\n")));
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "1h")
                .property("cartrelay.abandonment.repeat-window", "10d")
                .property("cartrelay.abandonment.high-value-threshold", "100.00")
                .property("cartrelay.recovery.link-template", TEMPLATE)
                .property("cartrelay.recovery.coupon-pool", pool.toAbsolutePath())
                .start();
    }

    @AfterAll
    void stopHub() throws IOException {
        hub.close();
        database.close();
        Files.deleteIfExists(pool);
    }

    /** A started checkout of the generic source; items as productId:price pairs. */
    static String started(String cart, String email, String total, String resumeUrl, String... items) {
        String list = java.util.Arrays.stream(items)
                .map(item -> item.split(":"))
                .map(p -> "{\"productId\": \"%s\", \"quantity\": 1, \"unitPrice\": \"%s\"}".formatted(p[0], p[1]))
                .collect(Collectors.joining(", "));
        return """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "%s", %s "currency": "EUR", "total": "%s", "items": [%s]},
                 "customer": {"email": "%s", "address": {"country": "US"}},
                 "consent": {"newsletter": true}}
                """.formatted(
                cart, cart, resumeUrl == null ? "" : "\"resumeUrl\": \"" + resumeUrl + "\",", total, list, email);
    }

    static void post(TestHub hub, String cart, String json) {
        HttpResponse<String> response = Notices.post(hub, "msg-" + cart, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    /** Moves past the delay and returns the abandoned event of the checkout with this shop id. */
    static JsonNode abandon(TestHub hub, String cart) throws Exception {
        hub.clock().advance(Duration.ofHours(2));
        String sql = "select e.payload from outbound_event e join checkout c on c.id = e.checkout_id"
                + " where c.checkout_ref = ? and e.type = 'checkout.abandoned'";
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.jdbc()
                        .sql(sql)
                        .param(cart)
                        .query(String.class)
                        .optional()
                        .isPresent());
        return JSON.readTree(hub.jdbc().sql(sql).param(cart).query(String.class).single())
                .get("abandonment");
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    @Test
    void attemptCountsTheBuyersAbandonmentsWithinTheRepeatWindowAndTagsRepeatAbandonersFromTheSecond()
            throws Exception {
        post(hub, "rep-1", started("rep-1", "Repeat.Buyer@Example.com", "20.00", null, "tea:20.00"));
        JsonNode first = abandon(hub, "rep-1");
        assertThat(first.get("attempt").asInt()).isEqualTo(1);
        assertThat(texts(first.get("segments"))).doesNotContain("repeat-abandoner");

        post(hub, "rep-2", started("rep-2", "repeat.buyer@example.com", "20.00", null, "tea:20.00"));
        JsonNode second = abandon(hub, "rep-2");
        assertThat(second.get("attempt").asInt()).isEqualTo(2);
        assertThat(texts(second.get("segments"))).startsWith("repeat-abandoner");

        hub.clock().advance(Duration.ofDays(11)); // both earlier abandonments fall out of the 10-day window
        post(hub, "rep-3", started("rep-3", "repeat.buyer@example.com", "20.00", null, "tea:20.00"));
        JsonNode third = abandon(hub, "rep-3");
        assertThat(third.get("attempt").asInt()).isEqualTo(1);
        assertThat(texts(third.get("segments"))).doesNotContain("repeat-abandoner");
    }

    @Test
    void valueTierIsHighAtOrAboveTheThresholdAndNormalBelowIt() throws Exception {
        post(hub, "tier-at", started("tier-at", "tier-at@example.com", "100.00", null, "box:100.00"));
        post(hub, "tier-below", started("tier-below", "tier-below@example.com", "99.99", null, "box:99.99"));
        assertThat(abandon(hub, "tier-at").get("valueTier").asText()).isEqualTo("high");
        assertThat(abandon(hub, "tier-below").get("valueTier").asText()).isEqualTo("normal");
    }

    @Test
    void segmentsNameEveryAbandonedProductOnce() throws Exception {
        post(hub, "seg", started("seg", "segments@example.com", "30.00", null, "p-a:10.00", "p-b:10.00", "p-a:10.00"));
        assertThat(texts(abandon(hub, "seg").get("segments")))
                .containsExactly("abandoned-product-p-a", "abandoned-product-p-b");
    }

    @Test
    void theShopsOwnResumeLinkIsKept() throws Exception {
        post(
                hub,
                "own-link",
                started(
                        "own-link",
                        "own-link@example.com",
                        "10.00",
                        "https://shop.example/checkout/own-link?token=abc",
                        "tea:10.00"));
        assertThat(abandon(hub, "own-link").get("resumeUrl").asText())
                .isEqualTo("https://shop.example/checkout/own-link?token=abc");
    }

    @Test
    void withoutTheShopsLinkTheTemplateIsFilledWithEveryPlaceholderUrlEncoded() throws Exception {
        post(hub, "cart 7/x", started("cart 7/x", "o'neil+tag@example.com", "10.00", null, "tea & cake/2:10.00"));
        JsonNode abandonment = abandon(hub, "cart 7/x");
        String coupon = abandonment.get("coupon").asText();
        assertThat(coupon).startsWith("SAVE-");
        assertThat(abandonment.get("resumeUrl").asText())
                .isEqualTo("https://shop.example/back"
                        + "?e=o%27neil%2Btag%40example.com&p=tea%20%26%20cake%2F2&c=cart%207%2Fx&k=" + coupon);
    }

    @Test
    void couponsComeFromThePoolFileOneCodePerAbandonedCheckout() throws Exception {
        List<String> coupons = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            post(
                    hub,
                    "coupon-" + i,
                    started("coupon-" + i, "coupon-" + i + "@example.com", "10.00", null, "tea:10.00"));
        }
        for (int i = 0; i < 5; i++) {
            coupons.add(abandon(hub, "coupon-" + i).get("coupon").asText());
        }
        assertThat(coupons).allMatch(code -> code.matches("SAVE-\\d{3}")).doesNotHaveDuplicates();
        for (String code : coupons) {
            assertThat(hub.count(
                            "select count(*) from coupon_code c join checkout k on k.id = c.checkout_id"
                                    + " where c.code = ? and c.claimed_at is not null",
                            code))
                    .isEqualTo(1);
        }
        // every code handed out so far, across the class, went to exactly one abandoned event
        assertThat(hub.count("select count(*) from coupon_code where claimed_at is not null"))
                .isEqualTo(hub.count("select count(*) from outbound_event where type = 'checkout.abandoned'"));
    }

    @Test
    void aBurstOfCheckoutsByOneBuyerYieldsOneAbandonedEventForTheNewest() throws Exception {
        post(hub, "burst-1", started("burst-1", "burst@example.com", "10.00", null, "tea:10.00"));
        hub.clock().advance(Duration.ofMinutes(5));
        post(hub, "burst-2", started("burst-2", "Burst@example.com", "20.00", null, "tea:10.00", "cake:10.00"));
        hub.clock().advance(Duration.ofMinutes(5));
        post(hub, "burst-3", started("burst-3", "burst@example.com", "30.00", null, "tea:30.00"));

        JsonNode newest = abandon(hub, "burst-3");
        assertThat(newest.get("attempt").asInt()).isEqualTo(1);
        Lifecycle lifecycle = hub.bean(Lifecycle.class);
        long runs = lifecycle.timerRuns();
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.timerRuns() >= runs + 3);
        assertThat(hub.count("select count(*) from outbound_event where email = 'burst@example.com'"))
                .isEqualTo(1);
        assertThat(hub.count("select count(*) from checkout where checkout_ref in ('burst-1', 'burst-2')"
                        + " and status = 'superseded'"))
                .isEqualTo(2);
    }

    @Test
    void anOrderForASupersededCheckoutConvertsTheNewerOneSoNothingIsAbandoned() {
        post(hub, "paid-old", started("paid-old", "paid@example.com", "10.00", null, "tea:10.00"));
        post(hub, "paid-new", started("paid-new", "paid@example.com", "10.00", null, "tea:10.00"));
        post(hub, "paid-order", """
                {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-paid-old",
                 "checkout": {"id": "paid-old", "currency": "EUR", "total": "10.00"}, "order": {"id": "o-1"},
                 "customer": {"email": "paid@example.com"}}
                """);
        assertThat(hub.count("select count(*) from checkout where checkout_ref = 'paid-new' and status = 'converted'"))
                .isEqualTo(1);
        hub.clock().advance(Duration.ofHours(2));
        Lifecycle lifecycle = hub.bean(Lifecycle.class);
        long runs = lifecycle.timerRuns();
        await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.timerRuns() >= runs + 3);
        assertThat(hub.count("select count(*) from outbound_event where email = 'paid@example.com'"))
                .isZero();
    }
}
