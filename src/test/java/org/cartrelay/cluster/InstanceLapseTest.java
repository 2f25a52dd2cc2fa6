package org.cartrelay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.testing.HubProcess;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Two hubs on one database, one in a JVM of its own that is SIGKILLed while it holds leased deliveries: the other
 * sees its heartbeat lapse, marks it gone and releases its leases, and delivers them within the lapse and a few
 * seconds, long before the leases would have run out. {@code /api/instances} lists both while they run, then the
 * killed one as gone.
 */
class InstanceLapseTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final int NOTICES = 12;
    private static final Duration LAPSE = Duration.ofSeconds(3);
    /** The lapse, a heartbeat, and three turns of the survivor's four workers through twelve slow calls. */
    private static final Duration RELEASED_AND_DELIVERED = Duration.ofSeconds(20);

    @Test
    void aKilledHubsLeasesAreReleasedWhenItsHeartbeatLapsesNotWhenTheyRunOut(@TempDir Path home) throws Exception {
        // slow enough that the killed hub still holds most of what it leased
        try (ScriptedTarget target = new ScriptedTarget(call -> Answer.of(200).after(1500));
                TestDatabase database = TestDatabase.create()) {
            String connector = """
                    type: webhook
                    endpoint: %s
                    timeout: 30s
                    retry: {maxAttempts: 5, initialDelay: 200ms, multiplier: 1, maxDelay: 200ms, jitter: 0}
                    """.formatted(target.url());
            // the survivor, started first, serves the H2 file to the other process
            String url = TestDatabase.isPostgres() ? database.url() : database.url() + ";AUTO_SERVER=TRUE";
            Map<String, Object> cluster = new LinkedHashMap<>();
            cluster.put("spring.datasource.url", url);
            cluster.put("cartrelay.cluster.heartbeat", "500ms");
            cluster.put("cartrelay.cluster.lapse-after", LAPSE.toMillis() + "ms");
            cluster.put("cartrelay.delivery.prefetch", "4");

            TestHub.Builder survivorBuilder = TestHub.on(database)
                    .property("cartrelay.admin.username", "ops")
                    .property("cartrelay.admin.password", "s3cret-ops")
                    // abandons nothing itself: the killed hub abandons every checkout and holds the deliveries
                    .property("cartrelay.abandonment.poll-interval", "1h")
                    .connector("crm", connector);
            cluster.forEach(survivorBuilder::property);
            try (TestHub survivor = survivorBuilder.start()) {
                Files.createDirectories(home.resolve("connectors"));
                Files.writeString(home.resolve("connectors/crm.yaml"), connector);
                Map<String, Object> doomedProperties = new LinkedHashMap<>(database.properties());
                doomedProperties.putAll(cluster);
                doomedProperties.put("cartrelay.abandonment.delay", "0s");
                doomedProperties.put("cartrelay.abandonment.poll-interval", "100ms");
                Path log = Path.of("target", "instance-lapse-test", "hub-" + TestDatabase.KIND + ".log");

                HubProcess doomed = HubProcess.start(home, doomedProperties, log);
                String doomedId;
                Instant killedAt;
                try {
                    doomedId = survivor.jdbc()
                            .sql("select id from hub_instance where pid = ? and stopped_at is null")
                            .param(doomed.pid())
                            .query(String.class)
                            .single();
                    await().atMost(Duration.ofSeconds(5))
                            .untilAsserted(() -> assertThat(instances(survivor))
                                    .extracting(i -> i.get("state").asText())
                                    .containsExactly("running", "running"));

                    for (int i = 0; i < NOTICES; i++) {
                        String key = "lapse-" + i;
                        HttpResponse<String> response = Notices.post(
                                doomed.uri(), "msg-" + key, Notices.checkoutStarted(key, key + "@example.com", "9.00"));
                        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
                    }
                    await().atMost(Duration.ofSeconds(20))
                            .until(() -> !target.calls().isEmpty());
                } finally {
                    doomed.kill();
                }
                killedAt = Instant.now();

                List<Held> held = survivor.jdbc()
                        .sql("select id, lease_until from delivery where status = 'pending' and lease_token like ?")
                        .param("lse_" + doomedId + "_%")
                        .query((rs, n) -> new Held(
                                rs.getString("id"),
                                rs.getObject("lease_until", OffsetDateTime.class)
                                        .toInstant()))
                        .list();
                assertThat(held).as("deliveries the killed hub held leased").isNotEmpty();
                Instant firstLeaseEnd = held.stream()
                        .map(Held::leaseUntil)
                        .min(Instant::compareTo)
                        .orElseThrow();
                // the leases would have held them far longer than the test waits
                assertThat(firstLeaseEnd)
                        .isAfter(killedAt.plus(RELEASED_AND_DELIVERED).plusSeconds(10));

                await().atMost(RELEASED_AND_DELIVERED)
                        .untilAsserted(() -> assertThat(survivor.count(
                                        "select count(*) from delivery where status = 'delivered' and id in ("
                                                + String.join(
                                                        ",",
                                                        held.stream()
                                                                .map(h -> "'" + h.id() + "'")
                                                                .toList())
                                                + ")"))
                                .isEqualTo(held.size()));
                assertThat(Instant.now()).isBefore(firstLeaseEnd);
                await().atMost(RELEASED_AND_DELIVERED)
                        .until(() -> survivor.count("select count(*) from delivery where status <> 'delivered'") == 0);

                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    List<JsonNode> instances = instances(survivor);
                    assertThat(instances).hasSize(2);
                    JsonNode self = instances.get(0);
                    assertThat(self.get("self").asBoolean()).isTrue();
                    assertThat(self.get("state").asText()).isEqualTo("running");
                    JsonNode gone = instances.get(1);
                    assertThat(gone.get("id").asText()).isEqualTo(doomedId);
                    assertThat(gone.get("state").asText()).isEqualTo("gone");
                    assertThat(gone.get("pid").asLong()).isEqualTo(doomed.pid());
                    assertThat(gone.get("stoppedAt").isNull()).isFalse();
                });
                assertThat(survivor.count(
                                "select count(*) from delivery where lease_token like ?", "lse_" + doomedId + "_%"))
                        .isZero();
            }
        }
    }

    private record Held(String id, Instant leaseUntil) {}

    private static List<JsonNode> instances(TestHub hub) throws Exception {
        HttpResponse<String> response = TestHub.send(HttpRequest.newBuilder(hub.uri("/api/instances"))
                .header("Authorization", AUTH)
                .GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        List<JsonNode> all = new java.util.ArrayList<>();
        JSON.readTree(response.body()).forEach(all::add);
        return all;
    }
}
