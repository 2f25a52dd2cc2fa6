package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Notices on H2 and PostgreSQL: an insert keeps each (source, source event id) once and says which rows it kept, a
 * repeat of a stored notice or of one earlier in the same insert being not kept; the checkout lookup sent with it (in
 * the same statement on PostgreSQL) finds what it finds alone, also when it finds nothing or nothing is kept.
 */
class NoticeStoreTest {

    private static NoticeStore.Row notice(String id, String sourceEventId, Instant now) {
        return new NoticeStore.Row(
                id,
                "shop",
                sourceEventId,
                now,
                "checkout.started",
                "ann@example.com",
                "raw " + id,
                "{}",
                "processed",
                null);
    }

    private static CheckoutStore.Started checkout(String id, String ref, String email, Instant startedAt) {
        return new CheckoutStore.Started(
                id, "shop", ref, email, "p1", startedAt, startedAt.plusSeconds(3600), "{}", null);
    }

    @Test
    void anInsertKeepsEachNoticeOnceAndTheLookupSentWithItFindsWhatItFindsAlone() {
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.abandonment.delay", "1h")
                        .start()) {
            NoticeStore notices = hub.bean(NoticeStore.class);
            CheckoutStore checkouts = hub.bean(CheckoutStore.class);
            TransactionTemplate tx = hub.bean(TransactionTemplate.class);
            Instant now = hub.clock().instant();
            tx.executeWithoutResult(status -> {
                notices.insertNew(List.of(notice("ntc-0", "e0", now)));
                // one pending checkout per ref: the older one of ref a was superseded before the newer opened
                checkouts.insertPendingAll(List.of(checkout("chk-a1", "a", "ann@example.com", now.minusSeconds(60))));
                hub.jdbc()
                        .sql("update checkout set status = 'superseded' where id = 'chk-a1'")
                        .update();
                checkouts.insertPendingAll(List.of(
                        checkout("chk-a2", "a", "ann@example.com", now),
                        checkout("chk-a3", "a3", "ann@example.com", now.minusSeconds(30)),
                        checkout("chk-b", "b", "bob@example.com", now)));
            });
            CheckoutKeys keys = CheckoutKeys.of(
                    Map.of("shop", List.of("a", "b", "c")),
                    List.of("ann@example.com", "bob@example.com", "cy@example.com"));
            CheckoutsFound alone = checkouts.find(keys);
            assertThat(alone.byRef().get("shop")).containsOnlyKeys("a", "b");
            assertThat(alone.byRef().get("shop").get("a").id()).isEqualTo("chk-a2"); // the newest of the ref
            assertThat(alone.pendingByEmail())
                    .isEqualTo(
                            Map.of("ann@example.com", Set.of("chk-a2", "chk-a3"), "bob@example.com", Set.of("chk-b")));

            List<NoticeStore.Row> batch = List.of(
                    notice("ntc-1", "e0", now),
                    notice("ntc-2", "e1", now),
                    notice("ntc-3", "e1", now),
                    notice("ntc-4", "e2", now));
            NoticeStore.Inserted sent = tx.execute(status -> notices.insertNew(batch, keys));
            assertThat(batch).extracting(sent::kept).containsExactly(false, true, false, true);
            assertThat(sent.checkouts()).isEqualTo(alone);
            assertThat(sent.checkouts()
                            .covers(CheckoutKeys.of(Map.of("shop", List.of("b")), List.of("ann@example.com"))))
                    .isTrue();
            assertThat(sent.checkouts().covers(CheckoutKeys.of(Map.of("shop", List.of("d")), List.of())))
                    .isFalse();
            assertThat(sent.checkouts().covers(CheckoutKeys.of(Map.of("other", List.of("a")), List.of())))
                    .isFalse();
            assertThat(sent.checkouts().covers(CheckoutKeys.of(Map.of(), List.of("dee@example.com"))))
                    .isFalse();

            List<NoticeStore.Row> besideNothing = List.of(notice("ntc-5", "e3", now), notice("ntc-6", "e1", now));
            NoticeStore.Inserted findsNothing = tx.execute(status -> notices.insertNew(
                    besideNothing, CheckoutKeys.of(Map.of("shop", List.of("z")), List.of("nobody@example.com"))));
            assertThat(besideNothing).extracting(findsNothing::kept).containsExactly(true, false);
            assertThat(findsNothing.checkouts().byRef()).isEmpty();
            assertThat(findsNothing.checkouts().pendingByEmail()).isEmpty();

            NoticeStore.Inserted keepsNothing = tx.execute(status -> notices.insertNew(
                    List.of(notice("ntc-7", "e3", now)), CheckoutKeys.of(Map.of("shop", List.of("b")), List.of())));
            assertThat(keepsNothing.keptIds()).isEmpty();
            assertThat(keepsNothing.checkouts().byRef().get("shop").get("b").id())
                    .isEqualTo("chk-b");

            assertThat(hub.jdbc()
                            .sql("select id from notice order by id")
                            .query(String.class)
                            .list())
                    .containsExactly("ntc-0", "ntc-2", "ntc-4", "ntc-5");
        }
    }
}
