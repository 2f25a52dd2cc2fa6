package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * The outbox on H2 and PostgreSQL: events, deliveries and attempts written many rows to an insert (up to 100 on H2,
 * on PostgreSQL all in one, each column an array) come out whole, every column in its place; a lease keeps a delivery
 * from every other claim until it is released or runs out; a claim returns every delivery it leases, while fan-outs
 * commit beside it, and reads about its batch behind a backlog that the statistics do not know.
 */
class OutboxStoreTest {

    @Test
    void moreRowsThanOneInsertHoldsAreWrittenWholeAndInPlace() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            List<EventRow> events = IntStream.range(0, 130)
                    .mapToObj(i -> new EventRow(
                            "evt-" + i,
                            "checkout.abandoned",
                            "chk-" + i,
                            "buyer" + i + "@example.com",
                            "{\"n\":" + i + "}"))
                    .toList();
            List<DeliveryRow> deliveries = new ArrayList<>();
            for (int i = 0; i < 130; i++) {
                deliveries.add(new DeliveryRow("dlv-a" + i, "evt-" + i, "bulk", DeliveryStatus.PENDING, null));
                deliveries.add(new DeliveryRow(
                        "dlv-b" + i,
                        "evt-" + i,
                        "held",
                        DeliveryStatus.SUPPRESSED,
                        "withheld " + i,
                        2,
                        Duration.ofHours(1)));
            }
            hub.bean(TransactionTemplate.class).executeWithoutResult(tx -> outbox.insert(events, deliveries, now));

            assertThat(hub.count("select count(*) from outbound_event")).isEqualTo(130);
            assertThat(hub.count("select count(*) from delivery")).isEqualTo(260);
            Map<String, Object> event = hub.jdbc()
                    .sql("select * from outbound_event where id = 'evt-129'")
                    .query()
                    .singleRow();
            assertThat(event)
                    .containsEntry("checkout_id", "chk-129")
                    .containsEntry("email", "buyer129@example.com")
                    .containsEntry("payload", "{\"n\":129}");
            Map<String, Object> held = hub.jdbc()
                    .sql("select * from delivery where id = 'dlv-b117'")
                    .query()
                    .singleRow();
            assertThat(held)
                    .containsEntry("event_id", "evt-117")
                    .containsEntry("connector", "held")
                    .containsEntry("status", "suppressed")
                    .containsEntry("last_error", "withheld 117")
                    .containsEntry("step", 2)
                    .containsEntry("attempts", 0);
            assertThat(hub.count(
                            "select count(*) from delivery where connector = 'held' and next_attempt_at > created_at"))
                    .isEqualTo(130);

            // a lane claims later than the fan-out wrote (H2 rounds the stored time to microseconds, possibly up)
            Instant later = now.plusSeconds(1);
            List<Claimed> claimed = outbox.claim("bulk", 500, later, later.plusSeconds(60), "lse-bulk");
            assertThat(claimed).hasSize(130);
            List<Finished> finished = claimed.stream()
                    .map(c -> new Finished(
                            c.id(),
                            "lse-bulk",
                            1,
                            now,
                            new Attempt(202, "delivered", null, "ok " + c.id(), 3),
                            DeliveryStatus.DELIVERED,
                            null,
                            0,
                            0,
                            null))
                    .toList();
            assertThat(outbox.recordAll(finished)).isEmpty();

            assertThat(hub.count("select count(*) from delivery where status = 'delivered'"))
                    .isEqualTo(130);
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(130);
            Map<String, Object> attempt = hub.jdbc()
                    .sql("select * from delivery_attempt where delivery_id = 'dlv-a77'")
                    .query()
                    .singleRow();
            assertThat(attempt)
                    .containsEntry("attempt", 1)
                    .containsEntry("status_code", 202)
                    .containsEntry("outcome", "delivered")
                    .containsEntry("response_body", "ok dlv-a77")
                    .containsEntry("duration_ms", 3L);
        }
    }

    @Test
    void textThatArrayLiteralsQuoteAndMissingValuesComeBackAsWritten() {
        // on PostgreSQL each column goes in as an array: quotes, backslashes, braces, commas, the word NULL and empty
        // text must survive its literal, and a missing value must stay missing
        String awkward = "{\"note\":\"a \\\"quoted\\\" {brace}, comma\\\\ back\\nslash\"} NULL Grüße \uD83D\uDE00";
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            List<EventRow> events = List.of(
                    new EventRow("evt-1", "checkout.abandoned", "NULL", null, awkward),
                    new EventRow("evt-2", "checkout.abandoned", "chk-2", "", "{}"));
            List<DeliveryRow> deliveries = List.of(
                    new DeliveryRow("dlv-1", "evt-1", "odd", DeliveryStatus.PENDING, null),
                    new DeliveryRow("dlv-2", "evt-2", "odd", DeliveryStatus.SUPPRESSED, awkward));
            hub.bean(TransactionTemplate.class).executeWithoutResult(tx -> outbox.insert(events, deliveries, now));

            Map<String, Object> first = hub.jdbc()
                    .sql("select * from outbound_event where id = 'evt-1'")
                    .query()
                    .singleRow();
            assertThat(first)
                    .containsEntry("payload", awkward)
                    .containsEntry("checkout_id", "NULL")
                    .containsEntry("email", null);
            assertThat(hub.jdbc()
                            .sql("select email from outbound_event where id = 'evt-2'")
                            .query(String.class)
                            .single())
                    .isEmpty();
            assertThat(hub.jdbc()
                            .sql("select last_error from delivery where id = 'dlv-1'")
                            .query()
                            .singleRow())
                    .containsEntry("last_error", null);
            assertThat(hub.jdbc()
                            .sql("select last_error from delivery where id = 'dlv-2'")
                            .query(String.class)
                            .single())
                    .isEqualTo(awkward);

            Instant later = now.plusSeconds(1);
            Claimed claimed = outbox.claim("odd", 10, later, later.plusSeconds(60), "lse-odd")
                    .get(0);
            assertThat(claimed.payload()).isEqualTo(awkward);
            assertThat(outbox.recordAll(List.of(new Finished(
                            claimed.id(),
                            "lse-odd",
                            1,
                            now,
                            new Attempt(0, "retry", awkward, null, 7),
                            DeliveryStatus.PENDING,
                            later.plusSeconds(30),
                            0,
                            0,
                            null))))
                    .isEmpty();
            Map<String, Object> attempt = hub.jdbc()
                    .sql("select * from delivery_attempt where delivery_id = 'dlv-1'")
                    .query()
                    .singleRow();
            assertThat(attempt)
                    .containsEntry("status_code", null)
                    .containsEntry("error", awkward)
                    .containsEntry("response_body", null)
                    .containsEntry("duration_ms", 7L);
        }
    }

    @Test
    void aClaimBehindABacklogThatStatisticsDoNotKnowReadsAboutItsBatchNotTheBacklog() {
        // PostgreSQL's autovacuum analyzes the table whenever it likes: here while nothing was pending, and then a
        // connector falls 4,000 deliveries behind. Its claims must stay as cheap as the batch they take
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            TransactionTemplate tx = hub.bean(TransactionTemplate.class);
            Instant now = hub.clock().instant();
            List<EventRow> events = IntStream.range(0, 2200)
                    .mapToObj(i -> new EventRow(
                            "evt-" + i, "checkout.abandoned", "chk-" + i, "buyer" + i + "@example.com", "{}"))
                    .toList();
            List<DeliveryRow> done = IntStream.range(0, 200)
                    .mapToObj(
                            i -> new DeliveryRow("dlv-done-" + i, "evt-" + i, "behind", DeliveryStatus.DELIVERED, null))
                    .toList();
            tx.executeWithoutResult(t -> outbox.insert(events, done, now));
            if (TestDatabase.isPostgres()) {
                hub.jdbc().sql("analyze delivery").update();
            }
            List<DeliveryRow> backlog = new ArrayList<>();
            for (int i = 200; i < 2200; i++) {
                for (String connector : List.of("behind", "other")) {
                    backlog.add(new DeliveryRow(
                            "dlv-" + connector + "-" + i,
                            "evt-" + i,
                            connector,
                            DeliveryStatus.PENDING,
                            null,
                            0,
                            Duration.ofMillis(i)));
                }
            }
            tx.executeWithoutResult(t -> outbox.insert(List.of(), backlog, now));
            Instant later = now.plusSeconds(10);

            if (TestDatabase.isPostgres()) {
                long buffers = Explain.blocksRead(
                        hub,
                        PostgresOutboxStore.CLAIM,
                        "behind",
                        Db.ts(later),
                        Db.ts(later),
                        64,
                        "lse-explain",
                        Db.ts(later.plusSeconds(60)),
                        Db.ts(later),
                        Db.ts(later));
                // about the batch and its events; a claim written with id in (…) read the whole backlog here
                assertThat(buffers).isLessThan(5_000);
            }
            List<Claimed> claimed = outbox.claim("behind", 64, later, later.plusSeconds(60), "lse-behind");
            assertThat(claimed)
                    .extracting(Claimed::id)
                    .containsExactlyElementsOf(IntStream.range(200, 264)
                            .mapToObj(i -> "dlv-behind-" + i)
                            .toList());
        }
    }

    @Test
    void aLeaseKeepsADeliveryFromOtherClaimsUntilItIsReleasedOrRunsOut() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            List<EventRow> events = IntStream.range(0, 3)
                    .mapToObj(i -> new EventRow(
                            "evt-" + i,
                            "checkout.abandoned",
                            "chk-" + i,
                            "buyer" + i + "@example.com",
                            "{\"n\":" + i + "}"))
                    .toList();
            List<DeliveryRow> deliveries = IntStream.range(0, 3)
                    .mapToObj(i -> new DeliveryRow(
                            "dlv-" + i, "evt-" + i, "lane", DeliveryStatus.PENDING, null, 0, Duration.ofMillis(i)))
                    .toList();
            hub.bean(TransactionTemplate.class).executeWithoutResult(tx -> outbox.insert(events, deliveries, now));
            Instant later = now.plusSeconds(1);
            Instant leaseEnd = later.plusSeconds(60);

            List<Claimed> first = outbox.claim("lane", 2, later, leaseEnd, "lse-a");
            assertThat(first).extracting(Claimed::id).containsExactly("dlv-0", "dlv-1");
            assertThat(first.get(1))
                    .extracting(Claimed::eventId, Claimed::eventType, Claimed::payload, Claimed::attempts)
                    .containsExactly("evt-1", "checkout.abandoned", "{\"n\":1}", 0);
            assertThat(outbox.claim("lane", 10, later, leaseEnd, "lse-b"))
                    .extracting(Claimed::id)
                    .containsExactly("dlv-2");
            assertThat(outbox.claim("lane", 10, later, leaseEnd, "lse-c")).isEmpty();
            assertThat(outbox.backlog().get("lane").pending()).isEqualTo(3);

            // only the lease that holds a delivery returns it
            assertThat(outbox.release(Map.of("dlv-0", "lse-b"))).isZero();
            assertThat(outbox.release(Map.of("dlv-0", "lse-a"))).isEqualTo(1);
            assertThat(outbox.claim("lane", 10, later, leaseEnd, "lse-d"))
                    .extracting(Claimed::id)
                    .containsExactly("dlv-0");

            // leases that ran out (their worker died) are claimed again, oldest due first, attempts unchanged
            Instant expired = leaseEnd.plusMillis(1);
            List<Claimed> again = outbox.claim("lane", 10, expired, expired.plusSeconds(60), "lse-e");
            assertThat(again).extracting(Claimed::id).containsExactly("dlv-0", "dlv-1", "dlv-2");
            assertThat(again).extracting(Claimed::attempts).containsOnly(0);
            // the worker that lost its lease records nothing; the new holder does
            Attempt ok = new Attempt(202, "delivered", null, null, 1);
            assertThat(outbox.recordAll(List.of(
                            new Finished("dlv-1", "lse-a", 1, later, ok, DeliveryStatus.DELIVERED, null, 0, 0, null))))
                    .containsExactly("dlv-1");
            assertThat(outbox.recordAll(List.of(new Finished(
                            "dlv-1", "lse-e", 1, expired, ok, DeliveryStatus.DELIVERED, null, 0, 0, null))))
                    .isEmpty();
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(1);
            assertThat(hub.count("select count(*) from delivery where status = 'delivered' and lease_token is null"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aRecoveryCancelsRetryingAndLeasedDeliveriesAndTheirAttemptsDoNotRevive() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            List<DeliveryRow> deliveries = List.of(
                    new DeliveryRow(
                            "dlv-retrying", "evt-x", "a", DeliveryStatus.PENDING, null, 0, Duration.ofMinutes(5)),
                    new DeliveryRow("dlv-failing", "evt-x", "b", DeliveryStatus.PENDING, null),
                    new DeliveryRow("dlv-sending", "evt-x", "c", DeliveryStatus.PENDING, null),
                    new DeliveryRow("dlv-other", "evt-y", "b", DeliveryStatus.PENDING, null));
            hub.bean(TransactionTemplate.class)
                    .executeWithoutResult(tx -> outbox.insert(
                            List.of(
                                    new EventRow("evt-x", "checkout.abandoned", "chk-x", "x@example.com", "{}"),
                                    new EventRow("evt-y", "checkout.abandoned", "chk-y", "y@example.com", "{}")),
                            deliveries,
                            now));
            Instant later = now.plusSeconds(1);
            assertThat(outbox.claim("b", 10, later, later.plusSeconds(60), "lse-b"))
                    .hasSize(2);
            assertThat(outbox.claim("c", 10, later, later.plusSeconds(60), "lse-c"))
                    .hasSize(1);

            // pending for a retry, leased and waiting, leased and under way: all three are cancelled
            assertThat(outbox.cancelUnsent("evt-x", later)).isEqualTo(3);
            assertThat(outbox.claim("a", 10, later.plusSeconds(600), later.plusSeconds(660), "lse-a2"))
                    .isEmpty();
            // nor a lease that runs out
            assertThat(outbox.claim("b", 10, later.plusSeconds(600), later.plusSeconds(660), "lse-b2"))
                    .extracting(Claimed::id)
                    .containsExactly("dlv-other");

            // the attempts under way end: a failure does not bring its delivery back for a retry, a success says it
            // went out
            Attempt failed = new Attempt(503, "retry", "HTTP 503", null, 2);
            Attempt ok = new Attempt(200, "delivered", null, null, 2);
            assertThat(outbox.recordAll(List.of(
                            new Finished(
                                    "dlv-failing",
                                    "lse-b",
                                    1,
                                    later,
                                    failed,
                                    DeliveryStatus.PENDING,
                                    later.plusSeconds(10),
                                    0,
                                    0,
                                    null),
                            new Finished(
                                    "dlv-sending", "lse-c", 1, later, ok, DeliveryStatus.DELIVERED, null, 0, 0, null),
                            new Finished(
                                    "dlv-other", "lse-b2", 1, later, ok, DeliveryStatus.DELIVERED, null, 0, 0, null))))
                    .isEmpty();
            Map<String, String> statuses = new java.util.HashMap<>();
            hub.jdbc().sql("select id, status from delivery").query((ResultSet rs) -> {
                statuses.put(rs.getString(1), rs.getString(2));
            });
            assertThat(statuses)
                    .containsEntry("dlv-retrying", "cancelled")
                    .containsEntry("dlv-failing", "cancelled")
                    .containsEntry("dlv-sending", "delivered")
                    .containsEntry("dlv-other", "delivered");
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(3);
            assertThat(hub.count("select count(*) from delivery where lease_token is not null"))
                    .isZero();
        }
    }

    @Test
    void aClaimFromADueTimeLeavesTheDeliveriesDueBeforeItAlone() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
            List<EventRow> events = IntStream.range(0, 3)
                    .mapToObj(i -> new EventRow(
                            "evt-" + i,
                            "checkout.abandoned",
                            "chk-" + i,
                            "buyer" + i + "@example.com",
                            "{\"n\":" + i + "}"))
                    .toList();
            List<DeliveryRow> deliveries = IntStream.range(0, 3)
                    .mapToObj(i -> new DeliveryRow(
                            "dlv-" + i,
                            "evt-" + i,
                            "lane",
                            DeliveryStatus.PENDING,
                            null,
                            0,
                            Duration.ofSeconds(10L * i)))
                    .toList();
            hub.bean(TransactionTemplate.class).executeWithoutResult(tx -> outbox.insert(events, deliveries, now));
            Instant later = now.plusSeconds(30);
            Instant leaseEnd = later.plusSeconds(60);

            List<Claimed> fromTen = outbox.claim("lane", 10, now.plusSeconds(5), later, leaseEnd, "lse-a");
            assertThat(fromTen).extracting(Claimed::id).containsExactly("dlv-1", "dlv-2");
            assertThat(fromTen)
                    .extracting(Claimed::nextAttemptAt)
                    .containsExactly(now.plusSeconds(10), now.plusSeconds(20));
            assertThat(outbox.claim("lane", 10, null, later, leaseEnd, "lse-b"))
                    .extracting(Claimed::id)
                    .containsExactly("dlv-0");
        }
    }

    @Test
    void aClaimReturnsEveryDeliveryItLeasesWhileFanOutsCommitBesideIt() throws Exception {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            OutboxStore outbox = hub.bean(OutboxStore.class);
            TransactionTemplate tx = hub.bean(TransactionTemplate.class);
            Instant now = hub.clock().instant();
            int fanouts = 400;
            Thread writer = new Thread(() -> {
                for (int i = 0; i < fanouts; i++) {
                    String event = "evt-race-" + i;
                    tx.executeWithoutResult(status -> outbox.insert(
                            List.of(new EventRow(event, "checkout.abandoned", "chk-" + event, "b@example.com", "{}")),
                            List.of(new DeliveryRow("dlv-race-" + event, event, "race", DeliveryStatus.PENDING, null)),
                            now));
                }
            });
            writer.start();
            Set<String> returned = new HashSet<>();
            Instant later = now.plusSeconds(3600);
            for (int claims = 0; ; claims++) {
                boolean writing = writer.isAlive();
                List<Claimed> claimed = outbox.claim("race", 7, later, later.plusSeconds(60), "lse-" + claims);
                claimed.forEach(c -> returned.add(c.id()));
                if (!writing && claimed.isEmpty()) {
                    break;
                }
            }
            writer.join();

            // a delivery leased but not returned would wait for its lease to run out, the lane knowing nothing of it
            assertThat(hub.count("select count(*) from delivery where connector = 'race' and lease_token is not null"))
                    .isEqualTo(returned.size());
            assertThat(returned).hasSize(fanouts);
        }
    }
}
