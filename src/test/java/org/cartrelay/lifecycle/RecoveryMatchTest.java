package org.cartrelay.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

import org.cartrelay.testing.MutableClock;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An order recovers an abandoned checkout when it names the checkout's id, or else comes from the same buyer and
 * holds one of the checkout's products, within {@code cartrelay.recovery.window} of the abandonment; every other
 * order of the buyer is an order and changes no checkout.
 */
class RecoveryMatchTest {

    private static final String BUYER = "ada@example.com";

    private TestDatabase database;

    @BeforeEach
    void setUp() {
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        database.close();
    }

    /** On a stopped clock, so that the window's edge is reached to the microsecond. */
    private TestHub hub() {
        MutableClock clock = new MutableClock();
        clock.pin(Instant.parse("2026-06-01T10:00:00Z"));
        return TestHub.on(database)
                .clock(clock)
                .property("cartrelay.abandonment.delay", "1h")
                .property("cartrelay.recovery.window", "30d")
                .start();
    }

    /** A cart of two products, tea and a cup, abandoned at the hub's clock one hour after it started. */
    private static Instant startAndAbandon(TestHub hub, String cart) {
        accept(hub, "start-" + cart, """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "30.00",
                              "items": [{"productId": "tea", "quantity": 1, "unitPrice": "20.00"},
                                        {"productId": "cup", "quantity": 1, "unitPrice": "10.00"}]},
                 "customer": {"email": "%s"}, "consent": {"newsletter": true}}
                """.formatted(cart, cart, BUYER));
        hub.clock().advance(Duration.ofHours(2));
        await().atMost(Duration.ofSeconds(20)).until(() -> "abandoned".equals(status(hub, cart)));
        return hub.jdbc()
                .sql("select abandoned_at from checkout where checkout_ref = ?")
                .param(cart)
                .query(java.time.OffsetDateTime.class)
                .single()
                .toInstant();
    }

    private static void moveTo(TestHub hub, Instant at) {
        hub.clock().advance(Duration.between(hub.clock().instant(), at));
    }

    private static void order(TestHub hub, String key, String checkoutId, String productId) {
        String checkout = checkoutId == null ? "" : "\"id\": \"%s\", ".formatted(checkoutId);
        String items =
                productId == null ? "" : ", \"items\": [{\"productId\": \"%s\", \"quantity\": 1}]".formatted(productId);
        accept(hub, "order-" + key, """
                {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-%s",
                 "checkout": {%s"currency": "EUR", "total": "20.00"%s},
                 "order": {"id": "ord-%s"}, "customer": {"email": "%s"}}
                """.formatted(key, checkout, items, key, BUYER));
    }

    private static void accept(TestHub hub, String id, String json) {
        HttpResponse<String> response = Notices.post(hub, id, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private static String status(TestHub hub, String cart) {
        return hub.jdbc()
                .sql("select status from checkout where checkout_ref = ?")
                .param(cart)
                .query(String.class)
                .single();
    }

    private static long recoveredEvents(TestHub hub) {
        return hub.count("select count(*) from outbound_event where type = 'checkout.recovered'");
    }

    @Test
    void anOrderNamingTheCheckoutRecoversItWhateverItsProducts() {
        try (TestHub hub = hub()) {
            startAndAbandon(hub, "cart-1");
            order(hub, "1", "cart-1", "kettle");
            assertThat(status(hub, "cart-1")).isEqualTo("recovered");
            assertThat(recoveredEvents(hub)).isEqualTo(1);
        }
    }

    @Test
    void anOrderOfTheBuyerWithAnyOfTheCartsProductsRecoversIt() {
        try (TestHub hub = hub()) {
            startAndAbandon(hub, "cart-1");
            // the cup is the cart's second item, not the one its product column keeps
            order(hub, "1", null, "cup");
            assertThat(status(hub, "cart-1")).isEqualTo("recovered");
            assertThat(recoveredEvents(hub)).isEqualTo(1);
        }
    }

    @Test
    void anOrderOfTheBuyerForOtherProductsOrNoneIsJustAnOrder() {
        try (TestHub hub = hub()) {
            startAndAbandon(hub, "cart-1");
            order(hub, "1", null, "kettle");
            order(hub, "2", null, null);
            assertThat(hub.count("select count(*) from notice where event_type = 'order.completed'"))
                    .isEqualTo(2);
            assertThat(status(hub, "cart-1")).isEqualTo("abandoned");
            assertThat(recoveredEvents(hub)).isZero();
        }
    }

    @Test
    void anOrderForOtherProductsBeforeAbandonmentLeavesTheCheckoutPending() {
        try (TestHub hub = hub()) {
            accept(hub, "start-cart-1", """
                    {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-cart-1",
                     "checkout": {"id": "cart-1", "items": [{"productId": "tea", "quantity": 1}]},
                     "customer": {"email": "%s"}}""".formatted(BUYER));
            order(hub, "1", null, "kettle");
            assertThat(status(hub, "cart-1")).isEqualTo("pending");
            order(hub, "2", null, "tea");
            assertThat(status(hub, "cart-1")).isEqualTo("converted");
        }
    }

    @Test
    void anOrderAtTheWindowsEndRecoversAndOneAfterItDoesNot() {
        try (TestHub hub = hub()) {
            Instant first = startAndAbandon(hub, "cart-1");
            moveTo(hub, first.plus(Duration.ofDays(30)));
            order(hub, "1", "cart-1", "tea");
            assertThat(status(hub, "cart-1")).isEqualTo("recovered");

            Instant second = startAndAbandon(hub, "cart-2");
            moveTo(hub, second.plus(Duration.ofDays(30)).plusNanos(1000));
            order(hub, "2", "cart-2", "tea");
            order(hub, "3", null, "tea");
            assertThat(status(hub, "cart-2")).isEqualTo("abandoned");
            assertThat(recoveredEvents(hub)).isEqualTo(1);
        }
    }
}
