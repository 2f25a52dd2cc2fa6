package org.cartrelay.delivery;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The delivery engine against real HTTP receivers: isolation of a slow connector, an outage with breaker and
 * recovery, pause and resume, a lease left by an instance that died, 410 disabling a connector, and Retry-After as an
 * HTTP date.
 */
class DeliveryEngineTest {

    private WireMockServer fast;
    private WireMockServer slow;
    private TestDatabase database;

    @BeforeEach
    void setUp() {
        fast = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        slow = new WireMockServer(WireMockConfiguration.options().dynamicPort().containerThreads(20));
        fast.start();
        slow.start();
        fast.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
        slow.stubFor(
                post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200).withFixedDelay(2000)));
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        fast.stop();
        slow.stop();
        database.close();
    }

    private static String hook(WireMockServer server, String extra) {
        return """
                type: webhook
                endpoint: http://127.0.0.1:%d/in
                timeout: 5s
                retry: {maxAttempts: 30, initialDelay: 200ms, multiplier: 1.5, maxDelay: 1s, jitter: 0}
                %s
                """.formatted(server.port(), extra);
    }

    private static long delivered(TestHub hub, String connector) {
        return hub.count("select count(*) from delivery where connector = ? and status = 'delivered'", connector);
    }

    private static long requests(WireMockServer server) {
        return server.findAll(postRequestedFor(urlEqualTo("/in"))).size();
    }

    private static Set<String> webhookIds(WireMockServer server) {
        return server.findAll(postRequestedFor(urlEqualTo("/in"))).stream()
                .map(r -> r.getHeader("webhook-id"))
                .collect(Collectors.toSet());
    }

    @Test
    void aSlowConnectorDoesNotDelayAFastOne() {
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("fast", hook(fast, ""))
                .connector("slow", hook(slow, ""))
                .start()) {
            Notices.startCheckouts(hub, "iso", 20);

            // 20 deliveries at 2 s each through 4 workers keep the slow lane busy for about 10 s
            await().atMost(Duration.ofSeconds(8)).until(() -> delivered(hub, "fast") == 20);
            assertThat(delivered(hub, "slow")).isLessThan(20);
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered(hub, "slow") == 20);
        }
    }

    @Test
    void deliveriesRunOnTheLowestPriorityThreadsAndTheIntakeOnNormalOnes() {
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("prio", hook(fast, ""))
                .start()) {
            Notices.startCheckouts(hub, "prio", 3);
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered(hub, "prio") == 3);

            Set<Thread> threads = Thread.getAllStackTraces().keySet();
            Set<Thread> delivery = threads.stream()
                    .filter(t -> t.getName().startsWith("deliver-prio-")
                            || t.getName().equals("lane-prio")
                            || t.getName().equals("delivery-recorder"))
                    .collect(Collectors.toSet());
            assertThat(delivery)
                    .extracting(Thread::getName)
                    .anyMatch(name -> name.startsWith("deliver-prio-"))
                    .contains("lane-prio", "delivery-recorder");
            assertThat(delivery).allMatch(t -> t.getPriority() == Thread.MIN_PRIORITY);
            assertThat(threads)
                    .filteredOn(t -> t.getName().startsWith("intake-commit-"))
                    .isNotEmpty()
                    .allMatch(t -> t.getPriority() == Thread.NORM_PRIORITY);
        }
    }

    @Test
    void eachConnectorsWorkersAreACamelThreadPoolUnderItsNameWhichCamelShutsDown() throws Exception {
        MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
        ObjectName pools = new ObjectName("org.apache.camel:type=threadpools,*");
        Set<ObjectName> pool;
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("camel.main.jmx-enabled", "true")
                .property("cartrelay.delivery.concurrency", "3")
                .connector("pooled", hook(fast, ""))
                .start()) {
            Notices.startCheckouts(hub, "pooled", 5);
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered(hub, "pooled") == 5);

            pool = jmx.queryNames(pools, null).stream()
                    .filter(name -> name.getKeyProperty("name").contains("deliver-pooled"))
                    .collect(Collectors.toSet());
            assertThat(pool)
                    .as("Camel's thread pools: %s", jmx.queryNames(pools, null))
                    .hasSize(1);
            ObjectName name = pool.iterator().next();
            assertThat(jmx.getAttribute(name, "CorePoolSize")).isEqualTo(3);
            assertThat(jmx.getAttribute(name, "MaximumPoolSize")).isEqualTo(3);
            await().atMost(Duration.ofSeconds(5)).until(() -> (Long) jmx.getAttribute(name, "CompletedTaskCount") == 5);
        }
        // shut down with the hub: the pool's MBean and its threads are gone
        assertThat(jmx.queryNames(pools, null)).doesNotContainAnyElementsOf(pool);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Thread.getAllStackTraces().keySet().stream()
                        .noneMatch(t -> t.getName().startsWith("deliver-pooled-")));
    }

    @Test
    void aConnectorThatIsDownForAWhileGetsEverythingOnceItRecovers() {
        fast.resetAll();
        fast.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(503)));
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.delivery.breaker.sliding-window", "3")
                .property("cartrelay.delivery.breaker.minimum-calls", "3")
                .property("cartrelay.delivery.breaker.open-for", "1s")
                .connector("crm", hook(fast, ""))
                .start()) {
            Notices.startCheckouts(hub, "down", 10);
            ConnectorRuntime runtime =
                    hub.bean(ConnectorRuntimes.class).get("crm").orElseThrow();

            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.circuitState() == CircuitBreaker.State.OPEN);
            assertThat(hub.get("/actuator/health/connector/crm").statusCode()).isEqualTo(503);
            // while the breaker is open the target is not hammered: fewer calls than deliveries waiting
            long callsWhileDown = requests(fast);
            assertThat(hub.count("select count(*) from delivery where status = 'dead'"))
                    .isZero();

            fast.resetAll();
            fast.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
            await().atMost(Duration.ofSeconds(30)).until(() -> delivered(hub, "crm") == 10);
            assertThat(webhookIds(fast)).hasSize(10);
            assertThat(callsWhileDown).isPositive();
            assertThat(runtime.circuitState()).isEqualTo(CircuitBreaker.State.CLOSED);
            assertThat(hub.get("/actuator/health/connector/crm").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void pausedDeliveriesStayPendingAndGoOutOnResume() {
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", hook(fast, ""))
                .start()) {
            ConnectorRuntimes runtimes = hub.bean(ConnectorRuntimes.class);
            runtimes.pause("crm");
            Notices.startCheckouts(hub, "pause", 3);

            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            hub.count("select count(*) from delivery where connector = 'crm' and status = 'pending'")
                                    == 3);
            long checks = hub.bean(org.cartrelay.lifecycle.Lifecycle.class).timerRuns();
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            hub.bean(org.cartrelay.lifecycle.Lifecycle.class).timerRuns() >= checks + 5);
            assertThat(requests(fast)).isZero();
            assertThat(hub.get("/actuator/health/connector/crm").statusCode()).isEqualTo(503);

            runtimes.resume("crm");
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered(hub, "crm") == 3);
        }
    }

    @Test
    void aDeliveryLeftLeasedByAnInstanceThatDiedIsSentOnceItsLeaseRunsOut() {
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", hook(fast, ""))
                .start()) {
            Notices.startCheckouts(hub, "lease", 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered(hub, "crm") == 1);
            String eventId = hub.jdbc()
                    .sql("select event_id from delivery where connector = 'crm'")
                    .query(String.class)
                    .single();
            // another instance leased a delivery of that event an hour ago and died: its lease has run out, and the
            // delivery is due from long before where the lane's looks for due deliveries now start
            Instant hourAgo = hub.clock().instant().minusSeconds(3600);
            hub.jdbc()
                    .sql("""
                    insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at,
                                          lease_token, lease_until, step)
                    values ('dlv_orphan', ?, 'crm', 'pending', 1, ?, ?, 'lse_dead_instance', ?, 0)""")
                    .params(
                            eventId,
                            hourAgo.atOffset(ZoneOffset.UTC),
                            hourAgo.atOffset(ZoneOffset.UTC),
                            hourAgo.plusSeconds(60).atOffset(ZoneOffset.UTC))
                    .update();

            // found by the lane's next look from the earliest due time, at most DueScan.FULL_LOOK_EVERY later
            await().atMost(Duration.ofSeconds(20))
                    .until(() ->
                            hub.count("select count(*) from delivery where id = 'dlv_orphan' and status = 'delivered'")
                                    == 1);
            assertThat(requests(fast)).isEqualTo(2);
            assertThat(webhookIds(fast)).containsExactly(eventId);
        }
    }

    @Test
    void a410DisablesTheConnectorUntilResumed() {
        fast.resetAll();
        fast.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(410)));
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("gone", hook(fast, ""))
                .start()) {
            Notices.startCheckouts(hub, "gone", 1);
            ConnectorRuntime runtime =
                    hub.bean(ConnectorRuntimes.class).get("gone").orElseThrow();
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.disabledReason() != null);
            // the attempt is written by the batched recorder, a moment after the connector is disabled
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.count("select count(*) from delivery where status = 'dead'") == 1);
            assertThat(hub.count("select count(*) from connector_state where name = 'gone' "
                            + "and disabled_reason is not null"))
                    .isEqualTo(1);
            assertThat(hub.get("/actuator/health/connector/gone").statusCode()).isEqualTo(503);

            fast.resetAll();
            fast.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
            Notices.startCheckouts(hub, "gone-later", 2);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            hub.count("select count(*) from delivery where connector = 'gone' and status = 'pending'")
                                    == 2);
            assertThat(requests(fast)).isZero();

            hub.bean(ConnectorRuntimes.class).resume("gone");
            await().atMost(Duration.ofSeconds(10)).until(() -> delivered(hub, "gone") == 2);
            assertThat(runtime.disabledReason()).isNull();
        }
    }

    @Test
    void retryAfterAsAnHttpDateIsHonoured() {
        try (TestHub hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/in
                        retry: {maxAttempts: 5, initialDelay: 200ms, maxDelay: 30s}
                        """.formatted(fast.port()))
                .start()) {
            fast.resetAll();
            Instant notBefore = Instant.now().plusSeconds(4).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
            String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(notBefore.atOffset(ZoneOffset.UTC));
            fast.stubFor(post(urlEqualTo("/in"))
                    .inScenario("busy")
                    .whenScenarioStateIs("Started")
                    .willReturn(aResponse().withStatus(429).withHeader("Retry-After", date))
                    .willSetStateTo("free"));
            fast.stubFor(post(urlEqualTo("/in"))
                    .inScenario("busy")
                    .whenScenarioStateIs("free")
                    .willReturn(aResponse().withStatus(200)));

            Notices.startCheckouts(hub, "later", 1);
            await().atMost(Duration.ofSeconds(20)).until(() -> delivered(hub, "crm") == 1);
            var attempts = fast.findAll(postRequestedFor(urlEqualTo("/in")));
            assertThat(attempts).hasSize(2);
            // the retry waited for the date (within the schedule's bounds), not for the 200 ms backoff
            assertThat(attempts.get(0).getLoggedDate().toInstant()).isBefore(notBefore.minusMillis(500));
            assertThat(attempts.get(1).getLoggedDate().toInstant()).isAfterOrEqualTo(notBefore.minusMillis(50));
        }
    }
}
