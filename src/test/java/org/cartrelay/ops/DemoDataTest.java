package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java docs/examples/DemoData.java}, run as README says against a hub started with the demo, posts what the
 * admin page is meant to show: abandoned, recovered and converted carts from two sources, a repeat abandoner, and an
 * EU buyer without consent whose delivery is suppressed with its reason rather than sent. The hub runs in a home
 * whose configuration sets no demo secret, so its demo connector signs with the one made for the run.
 */
class DemoDataTest {

    private static final Path SCRIPT = Path.of("docs", "examples", "DemoData.java");

    @Test
    void theDemoScriptFillsTheHubWithAbandonedRecoveredAndSuppressedCarts(@TempDir Path work)
            throws IOException, InterruptedException {
        // the demo connector sends to the hub's own port, so it must be known before the hub starts
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.demo.enabled", "true")
                        .property("cartrelay.abandonment.delay", "2s")
                        .property("server.port", port)
                        .start()) {
            Path output = work.resolve("demo.out");
            // the hub under test uses the fixture secrets, which are the script's demo defaults
            ProcessBuilder command = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            SCRIPT.toString(),
                            "--hub",
                            "http://127.0.0.1:" + hub.port(),
                            "--wait",
                            "4s")
                    .redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            command.environment().remove("CARTRELAY_SOURCES_GENERIC_SECRET");
            command.environment().remove("CARTRELAY_SOURCES_DIGISTORE24_PASSPHRASE");
            Process demo = command.start();
            assertThat(demo.waitFor(2, TimeUnit.MINUTES))
                    .as("the demo script ended")
                    .isTrue();
            String printed = Files.readString(output, StandardCharsets.UTF_8);
            assertThat(demo.exitValue()).as(printed).isZero();
            assertThat(printed).contains("16 notices accepted");

            // sam abandons a second cart after the wait, due two seconds later
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(statuses(hub))
                            .containsExactlyInAnyOrderEntriesOf(
                                    Map.of("abandoned", 6L, "recovered", 4L, "converted", 1L)));
            assertThat(hub.count("select count(distinct email) from checkout where status = 'abandoned'"))
                    .as("sam abandoned twice")
                    .isEqualTo(5);
            assertThat(hub.count("select count(distinct source) from checkout")).isEqualTo(2);

            List<Map<String, Object>> suppressed = hub.jdbc()
                    .sql("select c.email, d.last_error from delivery d join outbound_event e on e.id = d.event_id"
                            + " join checkout c on c.id = e.checkout_id where d.status = 'suppressed'")
                    .query()
                    .listOfRows();
            assertThat(suppressed).singleElement().satisfies(row -> {
                assertThat(row.get("email")).isEqualTo("luc.martin@example.fr");
                assertThat((String) row.get("last_error")).contains("EU country", "consent");
            });
            // every other abandonment and every recovery reaches the demo connector
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertThat(hub.count(
                                    "select count(*) from delivery where connector = 'demo-echo' and status = ?",
                                    "pending"))
                            .isZero());
            assertThat(delivered(hub, "checkout.abandoned", "abandoned")).isEqualTo(5);
            assertThat(delivered(hub, "checkout.recovered", "recovered")).isEqualTo(4);
        }
    }

    /** Deliveries of one event type sent to the demo connector, for checkouts now in a given status. */
    private static long delivered(TestHub hub, String type, String checkoutStatus) {
        return hub.count(
                "select count(*) from delivery d join outbound_event e on e.id = d.event_id"
                        + " join checkout c on c.id = e.checkout_id"
                        + " where d.connector = 'demo-echo' and d.status = 'delivered' and e.type = ? and c.status = ?",
                type,
                checkoutStatus);
    }

    private static Map<String, Long> statuses(TestHub hub) {
        Map<String, Long> counts = new LinkedHashMap<>();
        hub.jdbc()
                .sql("select status, count(*) as n from checkout group by status")
                .query((rs, n) -> counts.put(rs.getString("status"), rs.getLong("n")))
                .list();
        return counts;
    }
}
