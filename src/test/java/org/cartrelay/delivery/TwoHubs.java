package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;

/** Two hubs on one database in the two-instance tests: notices split between them, and one backlog for both. */
final class TwoHubs {

    private TwoHubs() {}

    /**
     * A hub on {@code database} whose one connector, {@code crm}, is a webhook to {@code crm}'s receiver with
     * {@code moreYaml} (one line of its settings, or empty), and whose checkouts are due at once.
     */
    static TestHub.Builder crmHub(TestDatabase database, ScriptedTarget crm, String moreYaml) {
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        %s
                        """.formatted(crm.url(), moreYaml));
    }

    /** Posts {@code count} distinct started checkouts, every other one to each hub, each accepted. */
    static void startCheckouts(TestHub a, TestHub b, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            String key = prefix + "-" + i;
            assertThat(Notices.post(
                                    i % 2 == 0 ? a : b,
                                    "msg-" + key,
                                    Notices.checkoutStarted(key, key + "@example.com", "29.00"))
                            .statusCode())
                    .as("notice %s", key)
                    .isEqualTo(202);
        }
    }

    /**
     * One backlog of {@code count} deliveries for {@code connector}, built while it is paused on both hubs (a pause
     * on one is the cluster's), then resumed on the other hub so that both drain it at once; returns when all are
     * delivered.
     */
    static void drainOneBacklog(TestHub a, TestHub b, String connector, String prefix, int count) {
        a.bean(ConnectorRuntimes.class).pause(connector);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> b.bean(ConnectorRuntimes.class)
                        .get(connector)
                        .orElseThrow()
                        .paused());
        startCheckouts(a, b, prefix, count);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.count("select count(*) from delivery where status = 'pending'") == count);
        b.bean(ConnectorRuntimes.class).resume(connector);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> a.count("select count(*) from delivery where status = 'delivered'") == count);
    }

    /** How many deliveries the hub's runtime of {@code connector} delivered since it started. */
    static long delivered(TestHub hub, String connector) {
        return hub.bean(ConnectorRuntimes.class).get(connector).orElseThrow().delivered();
    }
}
