package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A target's {@code Retry-After} holds for every instance on one PostgreSQL: while two hubs drain one backlog, the
 * target answers one call 429 with {@code Retry-After: 3}, and from a moment after that answer until the wait ends
 * neither hub calls it (the other hub learns of the wait from the database, not from a 429 of its own). With the
 * sharing switched off, the same test counted 271 calls of the other hub during the wait.
 */
class SharedTargetWaitTest {

    private static final int CHECKOUTS = 400;

    private TestDatabase database;
    private ScriptedTarget crm;

    @BeforeEach
    void setUp() {
        assumeTrue(TestDatabase.isPostgres(), "instances share a PostgreSQL database; H2 is embedded in one");
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() throws Exception {
        Teardown.inOrder(crm, database);
    }

    private TestHub start() {
        return TwoHubs.crmHub(database, crm, "")
                // small lanes: most of the backlog stays in the table, for whichever hub claims it
                .property("cartrelay.delivery.prefetch", "2")
                .start();
    }

    @Test
    void aWaitOneHubsTargetAsksForHoldsTheOtherHubToo() {
        AtomicBoolean asked = new AtomicBoolean();
        // the 50th call is answered 429: by then both hubs are sending
        crm = new ScriptedTarget(call -> call.nth() == 1 && countOfCalls() == 50 && asked.compareAndSet(false, true)
                ? Answer.of(429).retryAfter("3")
                : Answer.of(200).after(20));
        try (TestHub a = start();
                TestHub b = start()) {
            TwoHubs.drainOneBacklog(a, b, "crm", "wait", CHECKOUTS);

            List<Call> calls = crm.calls();
            Instant refused = calls.stream()
                    .filter(call -> call.status() == 429)
                    .map(Call::at)
                    .findFirst()
                    .orElseThrow();
            // calls under way when the 429 came may still arrive; then nothing until the three seconds are over
            List<Call> during = calls.stream()
                    .filter(call -> call.at().isAfter(refused.plusMillis(500))
                            && call.at().isBefore(refused.plusMillis(2700)))
                    .toList();
            System.out.printf(
                    "SharedTargetWaitTest: %d calls, the 429 at call %d, %d after it within 0.5 s, %d in the wait, last %d ms after%n",
                    calls.size(),
                    calls.indexOf(calls.stream()
                                    .filter(c -> c.status() == 429)
                                    .findFirst()
                                    .orElseThrow())
                            + 1,
                    calls.stream()
                            .filter(c -> c.at().isAfter(refused) && !c.at().isAfter(refused.plusMillis(500)))
                            .count(),
                    during.size(),
                    Duration.between(refused, calls.get(calls.size() - 1).at()).toMillis());
            assertThat(during).as("calls while the target's wait held").isEmpty();
            assertThat(TwoHubs.delivered(a, "crm")).isPositive();
            assertThat(TwoHubs.delivered(b, "crm")).isPositive();
        }
    }

    private int countOfCalls() {
        return crm == null ? 0 : crm.calls().size() + 1;
    }
}
