package org.cartrelay.connectors.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Supplier;

import org.cartrelay.delivery.Fanout;
import org.cartrelay.event.Address;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Consent;
import org.cartrelay.event.Customer;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.store.DeadLetterStore;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.support.Ids;
import org.cartrelay.testing.TestHub;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * Hand-built outbound events for the vendor connector tests, published through the running hub's {@link Fanout}
 * (as the lifecycle does), so a test can set the value tier, segments and coupon the enrichment would set; and the
 * stored delivery and attempt rows read back.
 */
public final class VendorEvents {

    private VendorEvents() {}

    /** An abandoned cart {@code cart-<key>} of buyer {@code <key>@example.com}, one item of product {@code productId}. */
    public static OutboundEvent abandoned(
            String key, String productId, String total, String tier, List<String> segments, String coupon) {
        Instant abandonedAt = Instant.parse("2026-08-18T09:11:48Z");
        return new OutboundEvent(
                Ids.next("evt"),
                "checkout.abandoned",
                "test-shop",
                "start-" + key,
                Instant.parse("2026-08-18T08:41:48Z"),
                new Checkout(
                        "cart-" + key,
                        "7",
                        "https://shop.example.com/resume/" + key,
                        "USD",
                        new BigDecimal(total),
                        List.of(new Item(productId, "Basic Plan", 1, new BigDecimal(total)))),
                new Customer(
                        key + "@example.com",
                        "Test",
                        "Kauf",
                        "+15551234567",
                        Address.of(null, "Austin", "TX", null, "US"),
                        "en"),
                new Consent(true),
                null,
                new OutboundEvent.Abandonment(
                        segments.contains("repeat-abandoner") ? 2 : 1,
                        tier,
                        segments,
                        "https://shop.example.com/resume/" + key + "?coupon=" + coupon,
                        coupon,
                        abandonedAt),
                null);
    }

    /** The recovery of that cart: same source event, an order paid {@code amount}. */
    public static OutboundEvent recovered(OutboundEvent abandoned, String amount) {
        return new OutboundEvent(
                Ids.next("evt"),
                "checkout.recovered",
                abandoned.source(),
                abandoned.sourceEventId(),
                abandoned.occurredAt(),
                abandoned.checkout(),
                abandoned.customer(),
                abandoned.consent(),
                null,
                null,
                new OutboundEvent.Recovery(
                        "ord-" + abandoned.checkout().id(),
                        new BigDecimal(amount),
                        "USD",
                        Instant.parse("2026-08-18T10:00:00Z")));
    }

    public static OutboundEvent publish(TestHub hub, OutboundEvent event) {
        hub.bean(Fanout.class)
                .publish(event, "chk_" + event.checkout().id(), hub.clock().instant());
        return event;
    }

    public record DeliveryRow(String id, String status, int attempts, int progress, Instant nextAttemptAt) {}

    /** An attempt as stored: when it started and how long the call took. */
    public record AttemptRow(int attempt, Integer status, String outcome, Instant at, Duration took) {

        /** When its answer came. */
        public Instant answeredAt() {
            return at.plus(took);
        }
    }

    /** The one delivery of this event to this connector. */
    public static DeliveryRow delivery(TestHub hub, String connector, String eventId) {
        return hub.jdbc()
                .sql("""
                select id, status, attempts, progress, next_attempt_at from delivery
                where connector = ? and event_id = ?""")
                .params(connector, eventId)
                .query((rs, n) -> new DeliveryRow(
                        rs.getString("id"),
                        rs.getString("status"),
                        rs.getInt("attempts"),
                        rs.getInt("progress"),
                        instant(rs, "next_attempt_at")))
                .single();
    }

    public static List<AttemptRow> attempts(TestHub hub, String connector, String eventId) {
        return hub.jdbc()
                .sql("""
                select a.attempt, a.status_code, a.outcome, a.attempted_at, a.duration_ms
                from delivery_attempt a join delivery d on d.id = a.delivery_id
                where d.connector = ? and d.event_id = ? order by a.attempt""")
                .params(connector, eventId)
                .query((rs, n) -> new AttemptRow(
                        rs.getInt("attempt"),
                        (Integer) rs.getObject("status_code"),
                        rs.getString("outcome"),
                        instant(rs, "attempted_at"),
                        Duration.ofMillis(rs.getLong("duration_ms"))))
                .list();
    }

    /** A first attempt the vendor answered 429 and the delivery that waits for its next. */
    public record Throttled(AttemptRow first, DeliveryRow waiting) {

        /**
         * How long the connector waits from the throttled answer to the next attempt: the wait the hub decided,
         * whatever the call itself took.
         */
        public Duration delay() {
            return Duration.between(first.answeredAt(), waiting.nextAttemptAt());
        }

        /**
         * Asserts the connector waits {@code wait} after the answer: not less (a millisecond is the stored times'
         * rounding), and not more than the moment between the answer and the hub's decision.
         */
        public void assertWaits(Duration wait) {
            assertThat(delay()).as("the wait after the 429").isBetween(wait.minusMillis(1), wait.plusSeconds(1));
        }
    }

    /**
     * Waits until this event's first attempt at this connector is stored and its delivery is pending again, asserts
     * that attempt was a 429 taken as throttled, and returns both.
     */
    public static Throttled awaitThrottled(TestHub hub, String connector, String eventId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> attempts(hub, connector, eventId).size() == 1
                        && "pending".equals(delivery(hub, connector, eventId).status()));
        AttemptRow first = attempts(hub, connector, eventId).get(0);
        DeliveryRow waiting = delivery(hub, connector, eventId);
        assertThat(first.status()).isEqualTo(429);
        assertThat(first.outcome()).isEqualTo("throttled");
        return new Throttled(first, waiting);
    }

    /** Waits until the one delivery of this event to this connector is delivered. */
    public static void awaitDelivered(TestHub hub, String connector, String eventId) {
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        "delivered".equals(delivery(hub, connector, eventId).status()));
    }

    /** The id of the abandoned event of {@code cart-<key>} (buyer {@code <key>@example.com}), once it exists. */
    public static String abandonedEventOf(TestHub hub, String key) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.count(
                                "select count(*) from outbound_event where type = 'checkout.abandoned' and email = ?",
                                key + "@example.com")
                        == 1);
        return hub.jdbc()
                .sql("select id from outbound_event where type = 'checkout.abandoned' and email = ?")
                .param(key + "@example.com")
                .query(String.class)
                .single();
    }

    /** Waits for the connector's one dead letter and returns it. */
    public static DeadLetter awaitDeadLetter(TestHub hub, String connector) {
        DeadLetterStore deadLetters = hub.bean(DeadLetterStore.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> deadLetters.count(connector) == 1);
        return deadLetters.list(connector, null, null, 10, 0).get(0);
    }

    /** Waits for the first request among {@code requests} whose body contains {@code text}, and returns it. */
    public static LoggedRequest awaitRequest(Supplier<List<LoggedRequest>> requests, String text) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> requests.get().stream()
                        .anyMatch(r -> r.getBodyAsString().contains(text)));
        return requests.get().stream()
                .filter(r -> r.getBodyAsString().contains(text))
                .findFirst()
                .orElseThrow();
    }

    public static JsonNode json(String text) throws IOException {
        return EventJson.MAPPER.readTree(text);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
