package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ProxiedDatabase;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

/**
 * The database goes away while deliveries are being sent and recorded: the engine's threads live through it (a
 * commit or rollback that fails included), nothing is claimed again while attempts wait to be recorded, and once the
 * database is back the outbox settles without a restart, each delivery with one recorded success.
 */
class StoreOutageDeliveryTest {

    @Test
    void theOutboxSettlesAfterTheStoreWasAwayWhileAttemptsWereRecorded() throws Exception {
        // calls after the tenth are held until the store is gone: their attempts finish while it is away and wait
        // to be recorded
        CountDownLatch storeGone = new CountDownLatch(1);
        AtomicInteger arrived = new AtomicInteger();
        try (ScriptedTarget target = new ScriptedTarget(call -> {
                    if (arrived.incrementAndGet() > 10) {
                        awaitQuietly(storeGone);
                    }
                    return Answer.of(200).after(100);
                });
                ProxiedDatabase backend = ProxiedDatabase.start();
                TestHub hub = backend.hub()
                        .property("cartrelay.abandonment.delay", "0s")
                        .connector("crm", """
                                type: webhook
                                endpoint: %s
                                timeout: 5s
                                retry: {maxAttempts: 20, initialDelay: 500ms, multiplier: 1, maxDelay: 1s, jitter: 0}
                                """.formatted(target.url()))
                        .start()) {
            AttemptRecorder recorder = hub.bean(AttemptRecorder.class);
            Notices.startCheckouts(hub, "outage", 60);
            await().atMost(Duration.ofSeconds(30)).until(() -> arrived.get() > 10);

            // the store goes away with attempts under way, and stays away while the recorder tries again and again
            backend.proxy().down();
            storeGone.countDown();
            await().atMost(Duration.ofSeconds(60)).until(() -> recorder.failedWrites() >= 5);
            backend.proxy().up();

            // the test's own first queries may meet pooled connections the outage broke
            await().atMost(Duration.ofSeconds(60))
                    .ignoreExceptions()
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 60);
            assertThat(hub.count("select count(*) from delivery where status = 'pending'"))
                    .isZero();
            assertThat(hub.count("""
                    select count(*) from (select delivery_id from delivery_attempt where outcome = 'delivered'
                                          group by delivery_id having count(*) = 1) as once""")).isEqualTo(60);
            assertThat(hub.count("select count(*) from delivery_attempt where outcome = 'delivered'"))
                    .isEqualTo(60);
            Set<String> events = hub.jdbc()
                    .sql("select event_id from delivery")
                    .query(String.class)
                    .set();
            assertThat(target.calls().stream().map(Call::webhookId).collect(Collectors.toSet()))
                    .containsExactlyInAnyOrderElementsOf(events);
            assertThat(recorder.failing()).isFalse();

            // and the engine goes on: new checkouts are abandoned and delivered as before
            Notices.startCheckouts(hub, "after", 5);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 65);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
