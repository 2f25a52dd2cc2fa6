package org.cartrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.cartrelay.delivery.ConnectorRuntime;
import org.cartrelay.ops.ConnectorOperations;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two hubs on one database share each connector's pause and 410-disable: a change on one applies on the other within
 * about a second. On PostgreSQL the poll is set far longer than that, so only the notification can bring it; on H2
 * the poll does.
 */
class SharedConnectorStateTest {

    /** About a second: the default poll, or the notification, plus the time of a read on a busy machine. */
    private static final Duration SOON = Duration.ofMillis(1500);

    private TestDatabase database;
    private ScriptedTarget target;
    private TestHub a;
    private TestHub b;

    @BeforeEach
    void setUp() {
        database = TestDatabase.create();
        target = new ScriptedTarget(call -> Answer.of(200));
        a = hub();
        b = hub();
    }

    @AfterEach
    void tearDown() {
        if (b != null) {
            b.close();
        }
        if (a != null) {
            a.close();
        }
        target.close();
        database.close();
    }

    private TestHub hub() {
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.cluster.state-poll-interval", TestDatabase.isPostgres() ? "1m" : "500ms")
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        retry: {maxAttempts: 5, initialDelay: 200ms, multiplier: 1, maxDelay: 200ms, jitter: 0}
                        """.formatted(target.url()))
                .start();
    }

    private static ConnectorRuntime crm(TestHub hub) {
        return hub.bean(ConnectorOperations.class).find("crm").orElseThrow();
    }

    private long pending(TestHub hub) {
        return hub.count("select count(*) from delivery where connector = 'crm' and status = 'pending'");
    }

    private long delivered(TestHub hub) {
        return hub.count("select count(*) from delivery where connector = 'crm' and status = 'delivered'");
    }

    @Test
    void aPauseOnOneHubStopsDeliveriesOnBothAndAResumeOnTheOtherLiftsIt() {
        a.bean(ConnectorOperations.class).pause("crm");
        await().atMost(SOON).until(() -> crm(b).paused());
        assertThat(ConnectorOperations.state(crm(b), b.clock().instant())).isEqualTo(ConnectorOperations.State.PAUSED);

        Notices.startCheckouts(b, "paused", 2);
        Notices.startCheckouts(a, "paused-a", 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> pending(a) == 4);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(2))
                .until(() -> target.calls().isEmpty());

        b.bean(ConnectorOperations.class).resume("crm");
        await().atMost(SOON).until(() -> !crm(a).paused());
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered(a) == 4);
        assertThat(target.calls()).hasSize(4);
    }

    @Test
    void a410OnOneHubDisablesTheConnectorOnBothUntilAResumeOnEither() {
        target.script(call -> Answer.of(410));
        Notices.startCheckouts(a, "gone", 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> crm(a).disabledReason() != null || crm(b).disabledReason() != null);
        TestHub disabler = crm(a).disabledReason() != null ? a : b;
        TestHub other = disabler == a ? b : a;
        await().atMost(SOON).until(() -> crm(other).disabledReason() != null);
        assertThat(crm(other).disabledReason()).isEqualTo(crm(disabler).disabledReason());
        assertThat(target.calls()).hasSize(1);

        target.script(call -> Answer.of(200));
        Notices.startCheckouts(other, "after-gone", 2);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> target.calls().size() == 1);

        other.bean(ConnectorOperations.class).resume("crm");
        await().atMost(SOON).until(() -> crm(disabler).disabledReason() == null);
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered(a) >= 2);
        assertThat(crm(a).paused()).isFalse();
        assertThat(crm(b).paused()).isFalse();
    }
}
