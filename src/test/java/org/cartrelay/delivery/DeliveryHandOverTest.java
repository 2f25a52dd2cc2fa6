package org.cartrelay.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.cartrelay.store.DeliveryStatus;
import org.cartrelay.store.OutboxStore;
import org.cartrelay.store.OutboxStore.Claimed;
import org.cartrelay.store.OutboxStore.DeliveryRow;
import org.cartrelay.store.OutboxStore.EventRow;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.support.TransactionTemplate;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * A lane that has caught up takes the fan-out's new deliveries at once: they are written leased to it and handed
 * over when they commit, within the lane's room (concurrency × prefetch), never while its connector is paused or
 * ahead of deliveries it had no room for, and the room comes back when their transaction does not commit.
 */
class DeliveryHandOverTest {

    private WireMockServer receiver;
    private TestDatabase database;

    @BeforeEach
    void setUp() {
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(202)));
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        receiver.stop();
        database.close();
    }

    private TestHub hub() {
        return hub("250ms");
    }

    private TestHub hub(String pollInterval) {
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.delivery.poll-interval", pollInterval)
                .connector("crm", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/in
                        """.formatted(receiver.port()))
                .start();
    }

    /** Room for up to {@code wanted}, once the lane's first claim has shown that nothing waits. */
    private static DeliveryLane.Reservation room(DeliveryEngine engine, int wanted, Instant now) {
        DeliveryLane.Reservation[] room = new DeliveryLane.Reservation[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> (room[0] = engine.reserve("crm", wanted, now)) != null);
        return room[0];
    }

    @Test
    void deliveriesWrittenLeasedToALaneGoOutWhenHandedOver() {
        try (TestHub hub = hub()) {
            DeliveryEngine engine = hub.bean(DeliveryEngine.class);
            OutboxStore outbox = hub.bean(OutboxStore.class);
            Instant now = hub.clock().instant();
            DeliveryLane.Reservation room = room(engine, 2, now);
            assertThat(room.size()).isEqualTo(2);

            List<DeliveryRow> rows = List.of(
                    new DeliveryRow("dlv-h1", "evt-h", "crm", DeliveryStatus.PENDING, null)
                            .leased(room.token(), room.leaseUntil()),
                    new DeliveryRow("dlv-h2", "evt-h", "crm", DeliveryStatus.PENDING, null)
                            .leased(room.token(), room.leaseUntil()));
            hub.bean(TransactionTemplate.class)
                    .executeWithoutResult(tx -> outbox.insert(
                            List.of(new EventRow(
                                    "evt-h", "checkout.abandoned", "chk-h", "h@example.com", "{\"id\":\"evt-h\"}")),
                            rows,
                            now));
            // leased as written: no claim takes them
            assertThat(outbox.claim("crm", 10, now.plusSeconds(1), now.plusSeconds(60), "lse-other"))
                    .isEmpty();

            engine.handOver(
                    room,
                    rows.stream()
                            .map(row -> new Claimed(
                                    row.id(),
                                    "evt-h",
                                    "checkout.abandoned",
                                    "crm",
                                    0,
                                    0,
                                    now,
                                    "{\"id\":\"evt-h\"}",
                                    0,
                                    0,
                                    now,
                                    "chk-h",
                                    "h@example.com",
                                    null))
                            .toList());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.count(
                                    "select count(*) from delivery where status = 'delivered' and lease_token is null")
                            == 2);
            assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/in"))))
                    .hasSize(2)
                    .allSatisfy(request ->
                            assertThat(request.getHeader("webhook-id")).isEqualTo("evt-h"));
        }
    }

    @Test
    void aLaneOffersNoMoreRoomThanItHasAndNoneWhilePaused() {
        try (TestHub hub = hub()) {
            DeliveryEngine engine = hub.bean(DeliveryEngine.class);
            Instant now = hub.clock().instant();
            // 4 workers with 32 deliveries each by default
            var delivery =
                    hub.bean(org.cartrelay.config.CartRelayProperties.class).delivery();
            int capacity = delivery.concurrency() * delivery.prefetch();
            DeliveryLane.Reservation all = room(engine, capacity, now);
            assertThat(all.size()).isEqualTo(capacity).isEqualTo(128);
            assertThat(engine.reserve("crm", 1, now)).isNull();
            // not committed: the room is free again
            engine.cancel(all);
            DeliveryLane.Reservation more = engine.reserve("crm", capacity + 1, now);
            assertThat(more)
                    .isNotNull()
                    .extracting(DeliveryLane.Reservation::size)
                    .isEqualTo(capacity);
            engine.cancel(more);
            // the one it had no room for is written for a claim: until a claim has taken it, no later one overtakes it
            assertThat(engine.reserve("crm", 1, now)).isNull();
            engine.cancel(room(engine, 1, now));

            hub.bean(ConnectorRuntimes.class).pause("crm");
            assertThat(engine.reserve("crm", 1, now)).isNull();
        }
    }

    @Test
    void theFanOutOfAnAbandonedCheckoutHandsItsDeliveryToTheLane() {
        // the lane looks only when woken: a poll's claim holds the lane's free room while it runs, and a fan-out
        // that comes meanwhile finds none and rightly leaves its deliveries to that claim (with a poll every 1 ms,
        // one of these three went that way)
        try (TestHub hub = hub("1h")) {
            DeliveryEngine engine = hub.bean(DeliveryEngine.class);
            engine.cancel(room(engine, 1, hub.clock().instant())); // the lane has looked and found nothing waiting
            ConnectorRuntime runtime =
                    hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();
            long claimedBefore = runtime.claimed();

            Notices.startCheckouts(hub, "handed", 3);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 3);
            assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/in")))).hasSize(3);
            assertThat(runtime.handedOver()).isEqualTo(3);
            assertThat(runtime.claimed()).isEqualTo(claimedBefore);
        }
    }
}
