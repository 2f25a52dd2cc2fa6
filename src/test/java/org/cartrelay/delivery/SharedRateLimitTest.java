package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
 * A connector's {@code rateLimit} holds for two hubs on one PostgreSQL together: draining one backlog at once, the
 * pair calls the target about 50 times a second, not 50 each (which the same test measured at about 100 with each
 * hub keeping to its own bucket only).
 */
class SharedRateLimitTest {

    private static final int CHECKOUTS = 400;

    private TestDatabase database;
    private ScriptedTarget crm;

    @BeforeEach
    void setUp() {
        assumeTrue(TestDatabase.isPostgres(), "instances share a PostgreSQL database; H2 is embedded in one");
        database = TestDatabase.create();
        crm = new ScriptedTarget(call -> Answer.of(200));
    }

    @AfterEach
    void tearDown() throws Exception {
        Teardown.inOrder(crm, database);
    }

    private TestHub start() {
        return TwoHubs.crmHub(database, crm, "rateLimit: 50/s").start();
    }

    @Test
    void thePairKeepsToTheConnectorsRateLimitWithinATenth() {
        try (TestHub a = start();
                TestHub b = start()) {
            TwoHubs.drainOneBacklog(a, b, "crm", "rate", CHECKOUTS);

            List<Instant> at = crm.calls().stream().map(Call::at).sorted().toList();
            assertThat(at).hasSize(CHECKOUTS);
            // the steady part: from the first second's end (the buckets' bursts spent) to the last call
            Instant from = at.get(0).plusSeconds(1);
            List<Instant> steady = at.stream().filter(t -> !t.isBefore(from)).toList();
            double perSecond = (steady.size() - 1)
                    / (Duration.between(steady.get(0), steady.get(steady.size() - 1))
                                    .toNanos()
                            / 1e9);
            System.out.printf("SharedRateLimitTest: the pair called %.1f times a second%n", perSecond);
            assertThat(perSecond).isBetween(45.0, 55.0);
            assertThat(TwoHubs.delivered(a, "crm")).isPositive();
            assertThat(TwoHubs.delivered(b, "crm")).isPositive();
        }
    }
}
