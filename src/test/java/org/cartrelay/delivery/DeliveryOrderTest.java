package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TargetedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Order per checkout and connector: a {@code checkout.recovered} cancels the connector's unsent
 * {@code checkout.abandoned} whether it is waiting for a retry, queued in the lane or on its way, and goes out only
 * after an attempt under way has ended; the target's last word on the checkout is always "recovered".
 */
class DeliveryOrderTest {

    @RegisterExtension
    final TargetedHub crm = new TargetedHub();

    private TestHub hub(String... properties) {
        return crm.hub(
                "timeout: 10s\n"
                        + "retry: {maxAttempts: 100, initialDelay: 300ms, multiplier: 1, maxDelay: 1s, jitter: 0}",
                properties);
    }

    private List<Call> callsFor(String key) {
        return crm.target().calls(c -> c.body().contains("\"cart-" + key + "\""));
    }

    /** The checkout's abandoned delivery is cancelled and no lease holds it: nothing can send it any more. */
    private static boolean abandonmentSettled(TestHub hub, String key) {
        return hub.count("""
                select count(*) from delivery d join outbound_event e on e.id = d.event_id
                join checkout c on c.id = e.checkout_id
                where c.checkout_ref = ? and e.type = 'checkout.abandoned' and d.status = 'cancelled'
                  and d.lease_token is null""", "cart-" + key) == 1;
    }

    private static boolean recoveryDelivered(TestHub hub, String key) {
        return hub.count("""
                select count(*) from delivery d join outbound_event e on e.id = d.event_id
                join checkout c on c.id = e.checkout_id
                where c.checkout_ref = ? and e.type = 'checkout.recovered' and d.status = 'delivered'""", "cart-" + key) == 1;
    }

    private void assertLastWordIsRecovered(String key) {
        List<Call> calls = callsFor(key);
        assertThat(calls).isNotEmpty();
        assertThat(calls.get(calls.size() - 1).recovered())
                .as("the last call about %s", key)
                .isTrue();
        assertThat(calls).filteredOn(Call::recovered).hasSize(1);
    }

    @Test
    void anAbandonmentRetryingWhenTheOrderArrivesIsCancelledAndNeverSentAfterTheRecovery() {
        crm.target(call -> call.abandoned() ? Answer.of(503) : Answer.of(200));
        try (TestHub hub = hub()) {
            Checkouts.start(hub, "retrying", "p-1", "49.00", "US");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> callsFor("retrying").size() >= 2);

            Checkouts.complete(hub, "retrying", "49.00");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> recoveryDelivered(hub, "retrying") && abandonmentSettled(hub, "retrying"));
            assertLastWordIsRecovered("retrying");
            assertThat(hub.count("select count(*) from delivery where status = 'pending'"))
                    .isZero();
        }
    }

    @Test
    void aRecoveryWaitsForTheAbandonmentUnderWayAndThatOneIsNotRetried() {
        // the abandonment's first call is under way for 1.5 s, then fails
        crm.target(call -> call.abandoned() ? Answer.of(503).after(1500) : Answer.of(200));
        try (TestHub hub = hub()) {
            Checkouts.start(hub, "flight", "p-1", "49.00", "US");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> callsFor("flight").size() == 1);

            Checkouts.complete(hub, "flight", "49.00");
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> recoveryDelivered(hub, "flight") && abandonmentSettled(hub, "flight"));
            List<Call> calls = callsFor("flight");
            assertThat(calls).hasSize(2);
            // at most one delivery per checkout in flight: the recovery left after the abandonment's answer
            assertThat(calls.get(1).recovered()).isTrue();
            assertThat(calls.get(1).at()).isAfterOrEqualTo(calls.get(0).at().plusMillis(1500));
            assertLastWordIsRecovered("flight");
        }
    }

    @Test
    void anAbandonmentQueuedInTheLaneWhenTheOrderArrivesIsNeverSent() {
        // one call at a time, each taking 300 ms: the checkout's abandonment waits behind ten others
        ScriptedTarget target = crm.target(call -> Answer.of(200).after(300));
        try (TestHub hub = hub("cartrelay.delivery.concurrency", "1")) {
            for (int i = 0; i < 10; i++) {
                Checkouts.start(hub, "ahead-" + i, "p-1", "10.00", "US");
            }
            Checkouts.start(hub, "queued", "p-1", "49.00", "US");
            await().atMost(Duration.ofSeconds(20)).until(() -> hub.count("""
                    select count(*) from outbound_event e join checkout c on c.id = e.checkout_id
                    where c.checkout_ref = 'cart-queued' and e.type = 'checkout.abandoned'""") == 1);

            Checkouts.complete(hub, "queued", "49.00");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> recoveryDelivered(hub, "queued") && abandonmentSettled(hub, "queued"));
            assertThat(callsFor("queued")).extracting(Call::recovered).containsExactly(true);
            assertThat(target.calls(Call::abandoned)).hasSize(10);
        }
    }
}
