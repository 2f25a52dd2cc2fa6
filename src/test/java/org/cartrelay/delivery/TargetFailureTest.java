package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TargetedHub;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The circuit breaker against targets that fail: one that fails part of the calls is never starved, one that is down
 * is not hammered and gets everything once it is back. With the hub's default breaker and retry schedule.
 */
class TargetFailureTest {

    private static final String QUICK_RETRIES =
            "retry: {maxAttempts: 50, initialDelay: 500ms, multiplier: 2, maxDelay: 2s, jitter: 0}";

    @RegisterExtension
    final TargetedHub crm = new TargetedHub();

    private TestHub hub(String retry) {
        return crm.hub("timeout: 5s\n" + retry);
    }

    private static long delivered(TestHub hub) {
        return TargetedHub.delivered(hub);
    }

    /** Every state the breaker enters, in order. */
    private static List<CircuitBreaker.State> transitions(TestHub hub) {
        List<CircuitBreaker.State> states = new CopyOnWriteArrayList<>();
        hub.bean(ConnectorRuntimes.class)
                .get("crm")
                .orElseThrow()
                .breaker()
                .circuitBreaker()
                .getEventPublisher()
                .onStateTransition(
                        event -> states.add(event.getStateTransition().getToState()));
        return states;
    }

    @Test
    void aTargetThatFailsEachDeliverysFirstTwoCallsReceivesAllThirtyCheckoutsWithinTwoMinutes() {
        ScriptedTarget target = crm.target(call -> call.nth() <= 2 ? Answer.of(503) : Answer.of(200));
        // the default retry schedule (10 s, then 30 s, jittered) and the default breaker
        try (TestHub hub = hub("")) {
            List<CircuitBreaker.State> states = transitions(hub);
            Notices.startCheckouts(hub, "flaky", 30);

            await().atMost(Duration.ofMinutes(2)).until(() -> delivered(hub) == 30);
            assertThat(target.calls(c -> c.status() == 200))
                    .extracting(Call::webhookId)
                    .doesNotHaveDuplicates()
                    .hasSize(30);
            // every delivery took its three calls: none was given up, none hammered
            assertThat(hub.count("select count(*) from delivery where connector = 'crm' and attempts = 3"))
                    .isEqualTo(30);
            assertThat(target.calls()).hasSize(90);
            // the failures opened the breaker; the retries that succeeded closed it again
            assertThat(states).contains(CircuitBreaker.State.OPEN);
            assertThat(hub.count("select count(*) from delivery where status = 'dead'"))
                    .isZero();
        }
    }

    @Test
    void aTargetThatIsDownOpensTheBreakerTrialCallsCloseItWhenItIsBackAndEverythingArrives() {
        AtomicBoolean down = new AtomicBoolean(true);
        ScriptedTarget target = crm.target(call -> down.get() ? Answer.of(502) : Answer.of(200));
        try (TestHub hub = hub(QUICK_RETRIES)) {
            List<CircuitBreaker.State> states = transitions(hub);
            Notices.startCheckouts(hub, "down", 40);
            ConnectorRuntime runtime =
                    hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();

            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.circuitState() == CircuitBreaker.State.OPEN);
            // open, it is not hammered: the waiting deliveries are not all tried, trials keep to their schedule
            await().atMost(Duration.ofSeconds(30)).until(() -> states.contains(CircuitBreaker.State.HALF_OPEN));
            long triedWhileDown =
                    target.calls().stream().map(Call::webhookId).distinct().count();
            assertThat(triedWhileDown).isLessThan(40);
            assertThat(hub.count("select count(*) from delivery where status = 'pending' and attempts = 0"))
                    .isPositive();

            Instant back = Instant.now();
            down.set(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered(hub) == 40);
            assertThat(runtime.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(states)
                    .containsSubsequence(
                            CircuitBreaker.State.OPEN, CircuitBreaker.State.HALF_OPEN, CircuitBreaker.State.CLOSED);
            assertThat(target.calls(c -> c.status() == 200))
                    .extracting(Call::webhookId)
                    .doesNotHaveDuplicates()
                    .hasSize(40);
            assertThat(target.calls(c -> c.at().isAfter(back) && c.status() != 200))
                    .isEmpty();
        }
    }
}
