package org.cartrelay.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.cartrelay.testing.HubProcess;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * kill -9 while deliveries are in flight loses nothing: after a restart every accepted notice's abandoned event
 * reaches the receiver (duplicates allowed, each with the same webhook-id) or the dead letters.
 */
class CrashRecoveryTest {

    private static final int NOTICES = 40;

    @Test
    void aHubKilledMidDeliveryDeliversEverythingAfterRestart(@TempDir Path home) throws Exception {
        WireMockServer receiver =
                new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(20));
        receiver.start();
        receiver.stubFor(
                post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200).withFixedDelay(250)));
        Files.createDirectories(home.resolve("connectors"));
        Files.writeString(home.resolve("connectors/crm.yaml"), """
                type: webhook
                endpoint: http://127.0.0.1:%d/in
                timeout: 2s
                retry: {maxAttempts: 20, initialDelay: 200ms, maxDelay: 1s}
                """.formatted(receiver.port()));
        Path log = Path.of("target", "crash-test", "hub-" + TestDatabase.KIND + ".log");
        try (TestDatabase database = TestDatabase.create()) {
            Map<String, Object> properties = new LinkedHashMap<>(database.properties());
            // the test reads the H2 file while the hub process has it open
            String url = TestDatabase.isPostgres() ? database.url() : database.url() + ";AUTO_SERVER=TRUE";
            properties.put("spring.datasource.url", url);
            properties.put("cartrelay.abandonment.delay", "0s");
            properties.put("cartrelay.abandonment.poll-interval", "100ms");
            properties.put("cartrelay.delivery.lease-margin", "1s");
            // a lease lasts the timeout for each turn of the 4 workers through the lane, plus the margin: with 4
            // deliveries held per worker at most 2s × 4 + 1s = 9s, which the restarted hub waits out before it sends
            // what the killed one held (with the default 32 per worker, 65s)
            properties.put("cartrelay.delivery.prefetch", "4");

            Set<String> accepted = new HashSet<>();
            try (HubProcess hub = HubProcess.start(home, properties, log)) {
                for (int i = 0; i < NOTICES; i++) {
                    String key = "crash-" + i;
                    HttpResponse<String> response = Notices.post(
                            hub.uri(), "msg-" + key, Notices.checkoutStarted(key, key + "@example.com", "49.00"));
                    if (response.statusCode() == 202) {
                        accepted.add("cart-" + key);
                    }
                }
                // kill while the receiver is part-way through the deliveries (4 workers, 250 ms each)
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> receiver.findAll(postRequestedFor(urlEqualTo("/in")))
                                        .size()
                                >= 8);
                hub.kill();
            }
            assertThat(accepted).hasSize(NOTICES);
            int beforeRestart =
                    receiver.findAll(postRequestedFor(urlEqualTo("/in"))).size();
            assertThat(beforeRestart).isLessThan(NOTICES);

            try (HubProcess restarted = HubProcess.start(home, properties, log)) {
                await().atMost(Duration.ofSeconds(60))
                        .untilAsserted(() -> assertThat(statuses(url, database.user()))
                                .as(() -> "deliveries by status; not delivered: " + undelivered(url, database.user()))
                                .containsOnlyKeys("delivered")
                                .containsEntry("delivered", (long) NOTICES));
            }

            Map<String, String> eventByCheckout = eventsByCheckout(url, database.user());
            assertThat(eventByCheckout.keySet()).containsExactlyInAnyOrderElementsOf(accepted);
            Set<String> received = receiver.findAll(postRequestedFor(urlEqualTo("/in"))).stream()
                    .map(r -> r.getHeader("webhook-id"))
                    .collect(Collectors.toSet());
            assertThat(received).containsExactlyInAnyOrderElementsOf(eventByCheckout.values());
        } finally {
            receiver.stop();
        }
    }

    /** How many deliveries are in each status. */
    private static Map<String, Long> statuses(String url, String user) throws Exception {
        Map<String, Long> counts = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                ResultSet rs =
                        c.createStatement().executeQuery("select status, count(*) from delivery group by status")) {
            while (rs.next()) {
                counts.put(rs.getString(1), rs.getLong(2));
            }
        }
        return counts;
    }

    /** The deliveries not delivered yet, with their lease and due time, for a failure's message. */
    private static List<String> undelivered(String url, String user) {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                ResultSet rs = c.createStatement()
                        .executeQuery("select id, status, attempts, next_attempt_at, lease_until, last_error"
                                + " from delivery where status <> 'delivered' order by next_attempt_at")) {
            while (rs.next()) {
                rows.add(String.join(
                        " ",
                        rs.getString(1),
                        rs.getString(2),
                        "attempts=" + rs.getInt(3),
                        "due=" + rs.getTimestamp(4).toInstant(),
                        "lease=" + rs.getTimestamp(5),
                        "error=" + rs.getString(6)));
            }
        } catch (Exception e) {
            rows.add("(could not read: " + e + ")");
        }
        rows.add("now=" + Instant.now());
        return rows;
    }

    /** checkout id (from the stored abandoned event) → outbound event id */
    private static Map<String, String> eventsByCheckout(String url, String user) throws Exception {
        Map<String, String> events = new LinkedHashMap<>();
        try (Connection c = DriverManager.getConnection(url, user, "");
                ResultSet rs = c.createStatement()
                        .executeQuery(
                                "select c.checkout_ref, e.id from outbound_event e join checkout c on c.id = e.checkout_id "
                                        + "where e.type = 'checkout.abandoned'")) {
            while (rs.next()) {
                events.put(rs.getString(1), rs.getString(2));
            }
        }
        return events;
    }
}
