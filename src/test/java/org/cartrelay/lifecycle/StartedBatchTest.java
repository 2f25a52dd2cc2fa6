package org.cartrelay.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.EventJson;
import org.cartrelay.store.CheckoutStore;
import org.cartrelay.store.CheckoutsFound;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The intake applies a whole batch of {@code checkout.started} notices at once: a few statements instead of three per
 * notice. The checkouts it leaves must be those that applying the notices one by one leaves, in every case a batch
 * can mix: new and known checkouts, a refresh of one opened earlier in the same batch, a superseded checkout the
 * buyer comes back to, two buyers, a closed checkout that a late notice must not reopen, and an order in between.
 * The same holds with the lookup the intake makes ahead of a batch and sends with its notices.
 */
class StartedBatchTest {

    private static CanonicalEvent started(String ref, String email, String product) {
        return EventJson.read("""
                {"type": "checkout.started", "source": "batch", "sourceEventId": "%s-%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "10.00",
                              "items": [{"productId": "%s", "quantity": 1, "unitPrice": "10.00"}]},
                 "customer": {"email": "%s"}}""".formatted(ref, product, ref, product, email), CanonicalEvent.class);
    }

    private static CanonicalEvent order(String ref, String email) {
        return EventJson.read("""
                {"type": "order.completed", "source": "batch", "sourceEventId": "order-%s",
                 "checkout": {"id": "%s", "currency": "EUR", "total": "10.00"}, "order": {"id": "o-%s"},
                 "customer": {"email": "%s"}}""".formatted(ref, ref, ref, email), CanonicalEvent.class);
    }

    /** How a test applies its notices. */
    private enum Way {
        ONE_BY_ONE,
        BATCHED,
        /** Batched, with the lookup the intake sends with its notices: made ahead for {@code ahead}'s notices. */
        LOOKED_AHEAD
    }

    private static Map<String, String> outcome(
            boolean batched, List<CanonicalEvent> before, List<CanonicalEvent> events) {
        return outcome(batched ? Way.BATCHED : Way.ONE_BY_ONE, before, events, events);
    }

    /** The same notices, applied one way, on a hub of their own; the checkouts they leave. */
    private static Map<String, String> outcome(
            Way way, List<CanonicalEvent> before, List<CanonicalEvent> events, List<CanonicalEvent> ahead) {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.abandonment.delay", "1h")
                        .start()) {
            Lifecycle lifecycle = hub.bean(Lifecycle.class);
            TransactionTemplate tx = hub.bean(TransactionTemplate.class);
            Instant now = hub.clock().instant();
            for (CanonicalEvent event : before) {
                tx.executeWithoutResult(status -> lifecycle.apply("batch", event, now));
            }
            hub.jdbc()
                    .sql("update checkout set status = 'abandoned' where checkout_ref = 'closed'")
                    .update();
            if (way == Way.BATCHED) {
                tx.executeWithoutResult(status -> lifecycle.applyAll(inbound(events, now)));
            } else if (way == Way.LOOKED_AHEAD) {
                tx.executeWithoutResult(status -> {
                    CheckoutsFound found = hub.bean(CheckoutStore.class).find(lifecycle.lookahead(inbound(ahead, now)));
                    lifecycle.applyAll(inbound(events, now), found);
                });
            } else {
                for (CanonicalEvent event : events) {
                    tx.executeWithoutResult(status -> lifecycle.apply("batch", event, now));
                }
            }
            assertThat(hub.count("select count(*) from checkout where checkout_ref is not null"))
                    .isEqualTo(hub.count(
                            "select count(distinct checkout_ref) from checkout where checkout_ref is not null"));
            return hub
                    .jdbc()
                    .sql("select checkout_ref, status, product_ref from checkout")
                    .query((rs, n) -> Map.entry(rs.getString(1), rs.getString(2) + " " + rs.getString(3)))
                    .list()
                    .stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        }
    }

    private static List<Lifecycle.Inbound> inbound(List<CanonicalEvent> events, Instant now) {
        return events.stream()
                .map(event -> new Lifecycle.Inbound("batch", event, now))
                .toList();
    }

    @Test
    void aBatchLeavesTheCheckoutsThatApplyingItsNoticesOneByOneLeaves() {
        List<CanonicalEvent> before = List.of(
                started("known", "ann@example.com", "p1"),
                started("older", "bob@example.com", "p1"),
                started("closed", "cid@example.com", "p1"),
                started("gus-1", "gus@example.com", "p1"));
        List<CanonicalEvent> batch = List.of(
                started("new-1", "ann@example.com", "p2"), // Ann's new cart supersedes her known one
                started("known", "ann@example.com", "p3"), // she comes back to the known one: it is pending again
                started("new-1", "ann@example.com", "p4"), // and again to the new one, opened earlier in this batch
                started("new-2", "bob@example.com", "p1"), // Bob's new cart supersedes his older one
                order("new-2", "bob@example.com"), // which he pays for at once
                started("new-3", "bob@example.com", "p5"), // then a third, after the order
                started("closed", "cid@example.com", "p9"), // an abandoned checkout stays as it is
                started("dee-1", "dee@example.com", "p1"), // a buyer of her own
                started("eve-1", "eve@example.com", "p1"), // a new buyer's two carts in one batch: the first is
                started("eve-2", "eve@example.com", "p2"), // superseded, though only this batch knows it
                started("gus-1", "gus@example.com", "p2")); // a buyer's one pending cart, refreshed: it stays

        Map<String, String> oneByOne = outcome(false, before, batch);
        Map<String, String> batched = outcome(true, before, batch);

        assertThat(batched).isEqualTo(oneByOne);
        // the lookup made ahead serves the first run; the runs after the order look up for themselves
        assertThat(outcome(Way.LOOKED_AHEAD, before, batch, batch)).isEqualTo(oneByOne);
        assertThat(batched)
                .containsEntry("new-1", "pending p4")
                .containsEntry("known", "superseded p3")
                .containsEntry("older", "superseded p1")
                .containsEntry("new-2", "converted p1")
                .containsEntry("new-3", "pending p5")
                .containsEntry("closed", "abandoned p1")
                .containsEntry("dee-1", "pending p1")
                .containsEntry("eve-1", "superseded p1")
                .containsEntry("eve-2", "pending p2")
                .containsEntry("gus-1", "pending p2");
    }

    /**
     * The intake looks ahead before it knows which notices are repeats. A repeat dropped from the leading run leaves a
     * lookup that covers the rest; a repeated order dropped from between two runs joins them into one, which the
     * lookup made for the first does not cover: that run looks up for itself, and finds Bob's known checkout rather
     * than opening a second one with the same id.
     */
    @Test
    void aLookupMadeAheadServesOnlyARunWhoseCheckoutsAndBuyersItLookedUp() {
        List<CanonicalEvent> before =
                List.of(started("ann-1", "ann@example.com", "p1"), started("bob-1", "bob@example.com", "p1"));
        CanonicalEvent annAgain = started("ann-2", "ann@example.com", "p2");
        CanonicalEvent repeatedOrder = order("zed-1", "zed@example.com");
        CanonicalEvent bobAgain = started("bob-1", "bob@example.com", "p3");
        CanonicalEvent cyNew = started("cy-1", "cy@example.com", "p1");

        List<CanonicalEvent> leadingRepeat = List.of(annAgain, cyNew);
        assertThat(outcome(Way.LOOKED_AHEAD, before, leadingRepeat, List.of(annAgain, annAgain, cyNew)))
                .isEqualTo(outcome(false, before, leadingRepeat))
                .containsEntry("ann-1", "superseded p1")
                .containsEntry("ann-2", "pending p2")
                .containsEntry("cy-1", "pending p1");

        List<CanonicalEvent> joined = List.of(annAgain, bobAgain);
        assertThat(outcome(Way.LOOKED_AHEAD, before, joined, List.of(annAgain, repeatedOrder, bobAgain)))
                .isEqualTo(outcome(false, before, joined))
                .containsEntry("bob-1", "pending p3")
                .containsEntry("ann-2", "pending p2");
    }

    @Test
    void withoutACheckoutIdTheBuyersPendingCheckoutOfTheSameProductIsRefreshedAndANewProductSupersedesIt() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.abandonment.delay", "1h")
                        .start()) {
            Lifecycle lifecycle = hub.bean(Lifecycle.class);
            TransactionTemplate tx = hub.bean(TransactionTemplate.class);
            Instant now = hub.clock().instant();
            for (String product : List.of("p1", "p1", "p2")) {
                CanonicalEvent event = EventJson.read("""
                        {"type": "checkout.started", "source": "batch", "sourceEventId": "anon-%s",
                         "checkout": {"currency": "EUR", "total": "10.00",
                                      "items": [{"productId": "%s", "quantity": 1, "unitPrice": "10.00"}]},
                         "customer": {"email": "anon@example.com"}}""".formatted(product, product), CanonicalEvent.class);
                tx.executeWithoutResult(status -> lifecycle.apply("batch", event, now));
            }
            assertThat(hub.jdbc()
                            .sql("select product_ref, status from checkout order by product_ref")
                            .query((rs, n) -> rs.getString(1) + " " + rs.getString(2))
                            .list())
                    .containsExactly("p1 superseded", "p2 pending");
        }
    }
}
