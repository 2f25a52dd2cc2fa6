package org.cartrelay.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.event.EventJson;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.ScriptedTarget.Call;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Operational events end to end: a webhook connector {@code ops} that subscribes to the hub's events receives them
 * when the other connector {@code crm}'s receiver answers 410, refuses a delivery, or is down until its breaker
 * opens and then back; the events name connector, delivery and reason, never the buyer. A dead operational event
 * raises no further one, and a vendor connector cannot subscribe to them.
 */
class OperationalEventsTest {

    private static final String OPS_EVENTS = "[hub.connector.disabled, hub.connector.breaker-opened,"
            + " hub.connector.breaker-closed, hub.delivery.dead-lettered, hub.backlog.too-old]";

    private TestDatabase database;
    private ScriptedTarget crm;
    private ScriptedTarget ops;

    @BeforeEach
    void setUp() {
        database = TestDatabase.create();
    }

    @AfterEach
    void tearDown() {
        if (crm != null) {
            crm.close();
        }
        if (ops != null) {
            ops.close();
        }
        database.close();
    }

    private TestHub hub(ScriptedTarget.Script crmScript, ScriptedTarget.Script opsScript, String... properties) {
        crm = new ScriptedTarget(crmScript);
        ops = new ScriptedTarget(opsScript);
        TestHub.Builder builder = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        retry: {maxAttempts: 50, initialDelay: 200ms, multiplier: 1, maxDelay: 200ms, jitter: 0}
                        """.formatted(crm.url()))
                .connector("ops", """
                        type: webhook
                        endpoint: %s
                        events: %s
                        retry: {maxAttempts: 2, initialDelay: 200ms, multiplier: 1, maxDelay: 200ms, jitter: 0}
                        """.formatted(ops.url(), OPS_EVENTS));
        for (int i = 0; i < properties.length; i += 2) {
            builder.property(properties[i], properties[i + 1]);
        }
        return builder.start();
    }

    /** The operational events {@code ops} was sent of this type (each once, whatever its retries). */
    private List<JsonNode> received(String type) {
        return ops.calls().stream()
                .map(Call::body)
                .map(body -> EventJson.read(body, JsonNode.class))
                .filter(event -> type.equals(event.path("type").asText()))
                .distinct()
                .toList();
    }

    private void assertNoBuyerData() {
        assertThat(ops.calls())
                .allSatisfy(call -> assertThat(call.body())
                        .doesNotContain("@")
                        .doesNotContain("example.com")
                        .doesNotContain("Test"));
    }

    @Test
    void aReceiversGoneDisablesItsConnectorAndTheOperatorsConnectorHearsOfItAndOfTheDeadLetter() {
        try (TestHub hub = hub(call -> Answer.of(410), call -> Answer.of(200))) {
            Notices.startCheckouts(hub, "gone", 1);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> received("hub.connector.disabled").size() == 1
                            && received("hub.delivery.dead-lettered").size() == 1);
            JsonNode disabled = received("hub.connector.disabled").get(0);
            assertThat(disabled.path("connector").asText()).isEqualTo("crm");
            assertThat(disabled.path("reason").asText()).contains("410 Gone");
            assertThat(disabled.path("id").asText()).isNotBlank();
            assertThat(disabled.path("createdAt").asText()).isNotBlank();
            assertThat(ops.calls().get(0).webhookId()).isNotBlank();
            assertNoBuyerData();
        }
    }

    @Test
    void aRefusedDeliveryIsDeadLetteredAndTheEventNamesTheDeliveryTheEventAndTheReasonOnly() {
        try (TestHub hub = hub(call -> Answer.of(400), call -> Answer.of(200))) {
            Notices.startCheckouts(hub, "refused", 1);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> received("hub.delivery.dead-lettered").size() == 1);
            JsonNode dead = received("hub.delivery.dead-lettered").get(0);
            String deliveryId = hub.jdbc()
                    .sql("select id from delivery where connector = 'crm' and status = 'dead'")
                    .query(String.class)
                    .single();
            String eventId = hub.jdbc()
                    .sql("select event_id from delivery where id = ?")
                    .param(deliveryId)
                    .query(String.class)
                    .single();
            assertThat(dead.path("connector").asText()).isEqualTo("crm");
            assertThat(dead.path("reason").asText()).contains("HTTP 400");
            assertThat(dead.path("details").path("deliveryId").asText()).isEqualTo(deliveryId);
            assertThat(dead.path("details").path("eventId").asText()).isEqualTo(eventId);
            assertThat(dead.path("details").path("eventType").asText()).isEqualTo("checkout.abandoned");
            assertThat(received("hub.connector.disabled")).isEmpty();
            assertNoBuyerData();
        }
    }

    @Test
    void aTargetThatIsDownOpensTheBreakerAndOneThatIsBackClosesItAndTheOperatorsHearBoth() {
        AtomicBoolean down = new AtomicBoolean(true);
        try (TestHub hub = hub(
                call -> down.get() ? Answer.of(503) : Answer.of(200),
                call -> Answer.of(200),
                "cartrelay.delivery.breaker.sliding-window",
                "3",
                "cartrelay.delivery.breaker.minimum-calls",
                "3",
                "cartrelay.delivery.breaker.half-open-calls",
                "1",
                "cartrelay.delivery.breaker.open-for",
                "1s")) {
            Notices.startCheckouts(hub, "down", 5);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> received("hub.connector.breaker-opened").size() >= 1);
            JsonNode opened = received("hub.connector.breaker-opened").get(0);
            assertThat(opened.path("connector").asText()).isEqualTo("crm");
            assertThat(opened.path("details").path("to").asText()).isEqualTo("OPEN");

            down.set(false);
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> received("hub.connector.breaker-closed").size() >= 1);
            assertThat(received("hub.connector.breaker-closed")
                            .get(0)
                            .path("connector")
                            .asText())
                    .isEqualTo("crm");
            assertNoBuyerData();
        }
    }

    @Test
    void aPausedConnectorsBacklogPassingTheAlertAgeIsToldOnceWithoutTheBuyer() {
        try (TestHub hub = hub(call -> Answer.of(200), call -> Answer.of(200), "cartrelay.backlog-alert-age", "2s")) {
            hub.bean(ConnectorRuntimes.class).pause("crm");
            Notices.startCheckouts(hub, "backlog", 2);

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> received("hub.backlog.too-old").size() == 1);
            JsonNode tooOld = received("hub.backlog.too-old").get(0);
            assertThat(tooOld.path("connector").asText()).isEqualTo("crm");
            assertThat(tooOld.path("details").path("pending").asText()).isEqualTo("2");
            assertThat(tooOld.path("details").path("oldestPendingAgeSeconds").asLong())
                    .isGreaterThanOrEqualTo(2);
            // once per crossing: the backlog stays too old, and nothing more is said of it
            await().during(Duration.ofSeconds(7))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> received("hub.backlog.too-old").size() == 1);
            assertNoBuyerData();
        }
    }

    @Test
    void aDeadOperationalEventRaisesNoFurtherOne() {
        try (TestHub hub = hub(call -> Answer.of(400), call -> Answer.of(400))) {
            Notices.startCheckouts(hub, "loop", 1);

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.count("select count(*) from delivery where connector = 'ops' and status = 'dead'")
                            == 1);
            // the hub's event about crm's dead letter died at ops, and that raised nothing: ops is told of others only
            assertThat(hub.count("select count(*) from outbound_event where type like 'hub.%'"))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from delivery where connector = 'crm' and event_id in"
                            + " (select id from outbound_event where type like 'hub.%')"))
                    .isZero();
            assertThat(ops.calls()).hasSize(1);
        }
    }

    @Test
    void aVendorConnectorThatListsAnOperationalEventStopsTheStartInOneSentence(@TempDir Path home) {
        Throwable thrown = catchThrowable(() ->
                TestHub.on(database).home(home).connector("crm", """
                        type: hubspot
                        auth: {bearer: token}
                        events: [checkout.abandoned, hub.delivery.dead-lettered]
                        """).start().close());

        Throwable cause = thrown;
        while (cause != null && !(cause instanceof ConnectorConfigException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("a ConnectorConfigException behind %s", thrown).isNotNull();
        assertThat(cause.getMessage())
                .isEqualTo("Connector file " + home.resolve("connectors/crm.yaml")
                        + ": key 'events' lists hub.delivery.dead-lettered, but the hub's operational events (hub.*)"
                        + " go only to webhook and route connectors, not to one of type hubspot; remove them, or add"
                        + " a webhook or route connector for operators.");
    }
}
