package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.cartrelay.store.OutboxStore.Attempt;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.store.OutboxStore.DeliveryRow;
import org.cartrelay.store.OutboxStore.EventRow;
import org.cartrelay.store.OutboxStore.Finished;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Events, deliveries and attempts are written with multi-row inserts of up to 100 rows: more rows than that must
 * come out whole, every column in its place, on H2 and PostgreSQL.
 */
class OutboxStoreTest {

    @Test
    void moreRowsThanOneInsertHoldsAreWrittenWholeAndInPlace() {
        try (TestDatabase database = TestDatabase.create(); TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            List<EventRow> events = IntStream.range(0, 130).mapToObj(i -> new EventRow("evt-" + i,
                    "checkout.abandoned", "chk-" + i, "buyer" + i + "@example.com", "{\"n\":" + i + "}")).toList();
            List<DeliveryRow> deliveries = new ArrayList<>();
            for (int i = 0; i < 130; i++) {
                deliveries.add(new DeliveryRow("dlv-a" + i, "evt-" + i, "bulk", OutboxStore.PENDING, null));
                deliveries.add(new DeliveryRow("dlv-b" + i, "evt-" + i, "held", OutboxStore.SUPPRESSED,
                        "withheld " + i, 2, Duration.ofHours(1)));
            }
            hub.bean(TransactionTemplate.class).executeWithoutResult(tx -> outbox.insert(events, deliveries, now));

            assertThat(hub.count("select count(*) from outbound_event")).isEqualTo(130);
            assertThat(hub.count("select count(*) from delivery")).isEqualTo(260);
            Map<String, Object> event = hub.jdbc().sql("select * from outbound_event where id = 'evt-129'").query()
                    .singleRow();
            assertThat(event).containsEntry("checkout_id", "chk-129").containsEntry("email", "buyer129@example.com")
                    .containsEntry("payload", "{\"n\":129}");
            Map<String, Object> held = hub.jdbc().sql("select * from delivery where id = 'dlv-b117'").query().singleRow();
            assertThat(held).containsEntry("event_id", "evt-117").containsEntry("connector", "held")
                    .containsEntry("status", "suppressed").containsEntry("last_error", "withheld 117")
                    .containsEntry("step", 2).containsEntry("attempts", 0);
            assertThat(hub.count("select count(*) from delivery where connector = 'held' and next_attempt_at > created_at"))
                    .isEqualTo(130);

            // a lane claims later than the fan-out wrote (H2 rounds the stored time to microseconds, possibly up)
            Instant later = now.plusSeconds(1);
            List<Claimed> claimed = outbox.claim("bulk", 500, later, later.plusSeconds(60), "lse-bulk");
            assertThat(claimed).hasSize(130);
            List<Finished> finished = claimed.stream().map(c -> new Finished(c.id(), "lse-bulk", 1, now,
                    new Attempt(202, "delivered", null, "ok " + c.id(), 3), OutboxStore.DELIVERED, null, 0)).toList();
            assertThat(outbox.recordAll(finished)).isEmpty();

            assertThat(hub.count("select count(*) from delivery where status = 'delivered'")).isEqualTo(130);
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(130);
            Map<String, Object> attempt = hub.jdbc().sql("select * from delivery_attempt where delivery_id = 'dlv-a77'")
                    .query().singleRow();
            assertThat(attempt).containsEntry("attempt", 1).containsEntry("status_code", 202)
                    .containsEntry("outcome", "delivered").containsEntry("response_body", "ok dlv-a77")
                    .containsEntry("duration_ms", 3L);
        }
    }
}
