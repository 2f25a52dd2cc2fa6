package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Instant;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL's partial indexes of pending checkouts and deliveries serve the scans for due rows and nothing else: a
 * statement that looks one row up by its id, its event or its buyer probes its own index even while the statistics
 * count no pending rows and thousands are pending (autovacuum analyzes when it likes). The statements are the stores'
 * own, with values in place of their parameters.
 */
class PendingIndexesTest {

    private static final int PENDING = 4000;

    @Test
    void oneRowLookupsProbeTheirOwnIndexAndTheScansForDueRowsKeepTheirs() {
        assumeTrue(TestDatabase.isPostgres(), "H2 has no partial indexes");
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database).start()) {
            Instant now = hub.clock().instant();
            insertCheckouts(hub, 1, 200, "abandoned", now);
            insertDeliveries(hub, 1, 200, "delivered", now);
            hub.jdbc().sql("analyze checkout").update();
            hub.jdbc().sql("analyze delivery").update();
            insertCheckouts(hub, 201, PENDING, "pending", now);
            insertDeliveries(hub, 201, PENDING, "pending", now);

            // CheckoutStore.findPendingByEmail, supersedeOlder and its update, OutboxStore.cancelUnsent: one row each,
            // 3 to 19 blocks; from the pending indexes they read 75 to 183 here, and more with every pending row
            assertThat(Explain.blocksRead(
                            hub,
                            "select id from checkout where email = 'buyer-3000@example.com'"
                                    + " and status = 'pending' order by started_at desc"))
                    .isLessThan(20);
            assertThat(Explain.blocksRead(
                            hub,
                            "select c.id from checkout c where c.id in ('chk-3000', 'chk-3001')"
                                    + " and c.started_at < (select max(n.started_at) from checkout n"
                                    + " where n.email = c.email and n.status = 'pending')"))
                    .isLessThan(40);
            assertThat(Explain.blocksRead(
                            hub,
                            "update checkout set status = 'superseded', closed_at = now(),"
                                    + " updated_at = now() where id = 'chk-3000' and status = 'pending'"))
                    .isLessThan(40);
            assertThat(Explain.blocksRead(
                            hub,
                            "update delivery set status = 'cancelled', next_attempt_at = now()"
                                    + " where event_id = 'evt-3000' and status = 'pending' and lease_token is null"))
                    .isLessThan(40);

            // CheckoutStore.due, countByStatus and OutboxStore.backlog still walk the partial indexes
            assertThat(Explain.plan(
                            hub,
                            "select id from checkout where status = 'pending' and due_at >= now()"
                                    + " and due_at <= now() + interval '2 hours' order by due_at limit 100"))
                    .contains("checkout_due_idx");
            assertThat(Explain.plan(
                            hub, "select count(*) from checkout where status = 'pending'" + " and due_at is not null"))
                    .contains("checkout_due_idx");
            assertThat(Explain.plan(
                            hub,
                            "select connector, count(*), min(created_at) from delivery"
                                    + " where status = 'pending' and next_attempt_at is not null group by connector"))
                    .contains("delivery_pending_idx");
        }
    }

    private static void insertCheckouts(TestHub hub, int from, int to, String status, Instant now) {
        hub.jdbc()
                .sql("""
                insert into checkout (id, source, checkout_ref, email, product_ref, status, started_at, updated_at,
                                      due_at, started_event)
                select 'chk-' || g, 'digistore24', 'ref-' || g, 'buyer-' || g || '@example.com', 'p', ?, ?, ?,
                       ? + g * interval '1 second', '{}'
                from generate_series(?, ?) g""")
                .params(status, Db.ts(now), Db.ts(now), Db.ts(now), from, to)
                .update();
    }

    private static void insertDeliveries(TestHub hub, int from, int to, String status, Instant now) {
        hub.jdbc().sql("""
                insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at, step)
                select 'dlv-' || g, 'evt-' || g, 'connector-' || (g % 2), ?, 0, ?, ? + g * interval '1 second', 0
                from generate_series(?, ?) g""").params(status, Db.ts(now), Db.ts(now), from, to).update();
    }
}
