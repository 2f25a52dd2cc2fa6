package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.cartrelay.testing.Notices;
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
 * Two hubs on one PostgreSQL database, both taking notices, abandoning checkouts and delivering at once: every one of
 * 1,000 checkouts is abandoned once and its event delivered, no event is sent by both at one moment (the receiver
 * answers each call after {@link #ANSWER_MILLIS}, so two sends of one id overlap when they arrive closer than that),
 * and both did part of the work. A repeat may only be a later resend of the same id; the test counts them.
 */
class TwoInstancesTest {

    private static final int CHECKOUTS = 1000;

    private static final int ANSWER_MILLIS = 20;

    private TestDatabase database;
    private ScriptedTarget crm;

    @BeforeEach
    void setUp() {
        assumeTrue(TestDatabase.isPostgres(), "instances share a PostgreSQL database; H2 is embedded in one");
        database = TestDatabase.create();
        crm = new ScriptedTarget(call -> Answer.of(200).after(ANSWER_MILLIS));
    }

    @AfterEach
    void tearDown() throws Exception {
        Teardown.inOrder(crm, database);
    }

    private TestHub start() {
        return start("0s");
    }

    private TestHub start(String abandonmentDelay) {
        return TwoHubs.crmHub(database, crm, "")
                .property("cartrelay.abandonment.delay", abandonmentDelay)
                // small lanes, so each hub's lane claims from the table beside what its own fan-out hands it
                .property("cartrelay.delivery.prefetch", "2")
                .start();
    }

    @Test
    void twoHubsOnOneDatabaseAbandonEachCheckoutOnceAndNeverSendOneEventTwiceAtOnce() {
        try (TestHub a = start();
                TestHub b = start()) {
            TwoHubs.startCheckouts(a, b, "two", CHECKOUTS);

            await().atMost(Duration.ofSeconds(90))
                    .until(() -> a.count("select count(*) from delivery where status = 'delivered'") == CHECKOUTS);

            assertThat(a.count("select count(*) from checkout where status = 'abandoned'"))
                    .isEqualTo(CHECKOUTS);
            assertThat(a.count("select count(*) from outbound_event where type = 'checkout.abandoned'"))
                    .isEqualTo(CHECKOUTS);
            assertThat(a.count("select count(*) from delivery")).isEqualTo(CHECKOUTS);
            List<Call> calls = crm.calls();
            Map<String, List<Call>> byId = calls.stream().collect(Collectors.groupingBy(Call::webhookId));
            assertThat(byId).hasSize(CHECKOUTS);
            List<String> overlapping = new ArrayList<>();
            Map<String, Integer> repeats = new TreeMap<>();
            byId.forEach((id, sends) -> {
                if (sends.size() > 1) {
                    repeats.put(id, sends.size());
                }
                List<Instant> at = sends.stream().map(Call::at).sorted().toList();
                for (int i = 1; i < at.size(); i++) {
                    if (Duration.between(at.get(i - 1), at.get(i)).toMillis() < ANSWER_MILLIS) {
                        overlapping.add(id);
                    }
                }
            });
            assertThat(overlapping).as("events in flight twice at one moment").isEmpty();
            System.out.printf(
                    "TwoInstancesTest: %d calls for %d events, %d events sent more than once %s%n",
                    calls.size(), CHECKOUTS, repeats.size(), repeats);
            // both instances delivered: the pair shared the work
            assertThat(delivered(a)).isPositive();
            assertThat(delivered(b)).isPositive();
            assertThat(delivered(a) + delivered(b)).isEqualTo(calls.size());
        }
    }

    @Test
    void noticesOfOneCheckoutAtBothHubsAtOnceOpenOnePendingCheckoutAndAreEachAccepted() throws Exception {
        try (TestHub a = start("1h");
                TestHub b = start("1h")) {
            ExecutorService senders = Executors.newFixedThreadPool(8);
            try {
                List<Future<Integer>> answers = new ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    for (TestHub hub : List.of(a, b)) {
                        String key = "race-" + i;
                        // the same checkout ref from both hubs, as two notices (two sender event ids)
                        String json = Notices.checkoutStarted(key, key + "@example.com", "29.00")
                                .replace(
                                        "\"sourceEventId\": \"" + key + "\"",
                                        "\"sourceEventId\": \"" + key + "-" + hub.port() + "\"");
                        answers.add(senders.submit(() -> Notices.post(hub, "msg-" + key + "-" + hub.port(), json)
                                .statusCode()));
                    }
                }
                for (Future<Integer> answer : answers) {
                    assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo(202);
                }
            } finally {
                senders.shutdownNow();
            }
            assertThat(a.count("select count(*) from notice")).isEqualTo(200);
            assertThat(a.count("select count(*) from (select source, checkout_ref from checkout"
                            + " group by source, checkout_ref having count(*) > 1) twice"))
                    .isZero();
            assertThat(a.count("select count(*) from checkout where status = 'pending'"))
                    .isEqualTo(100);
        }
    }

    private static long delivered(TestHub hub) {
        return TwoHubs.delivered(hub, "crm");
    }
}
