package org.cartrelay.connectors.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.http.VendorEvents;
import org.cartrelay.store.DeadLetterStore.DeadLetter;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The route connector: a connector defined only in YAML, a connector file plus a Camel YAML DSL
 * route in {@code <home>/routes/}, receives the outbound event and the hub's headers; an exception in that route is
 * a failed attempt, retried and finally dead-lettered with its error, unless it is a
 * {@link org.cartrelay.connectors.PermanentDeliveryException}, which is dead at once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RouteConnectorTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Path home;
    private Path received;
    private Path flakyReceived;
    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() throws Exception {
        home = Files.createTempDirectory("cartrelay-route-home");
        received = Files.createTempDirectory("cartrelay-route-received");
        flakyReceived = Files.createTempDirectory("cartrelay-route-flaky");
        Files.createDirectories(home.resolve("routes"));
        // the integrator's routes: one keeps what it gets as a file named after the event id, one always throws, one
        // refuses every event for good, one fails the first attempt only
        Files.writeString(home.resolve("routes/crm.yaml"), """
                - route:
                    id: integrator-crm
                    from:
                      uri: direct:my-crm
                      steps:
                        - setHeader:
                            name: CamelFileName
                            simple: "${header.CartRelayEventId}-${header.CartRelayEventType}-${header.CartRelayAttempt}.json"
                        - to:
                            uri: "file:%s"
                - route:
                    id: integrator-broken
                    from:
                      uri: direct:broken-crm
                      steps:
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: "The CRM is down for maintenance"
                - route:
                    id: integrator-refusing
                    from:
                      uri: direct:refusing-crm
                      steps:
                        - throwException:
                            exceptionType: org.cartrelay.connectors.PermanentDeliveryException
                            message: "The CRM has no list for shop test-shop"
                - route:
                    id: integrator-flaky
                    from:
                      uri: direct:flaky-crm
                      steps:
                        - choice:
                            when:
                              - simple: "${header.CartRelayAttempt} == 1"
                                steps:
                                  - throwException:
                                      exceptionType: java.lang.IllegalStateException
                                      message: "The CRM is busy"
                        - to:
                            uri: "file:%s"
                """.formatted(
                received.toString().replace('\\', '/'), flakyReceived.toString().replace('\\', '/')));
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .home(home)
                .property("cartrelay.abandonment.delay", "0s")
                .connector("crm", """
                        type: route
                        uri: direct:my-crm
                        filter: {products: ["p-route"]}
                        """)
                .connector("broken", """
                        type: route
                        uri: direct:broken-crm
                        filter: {products: ["p-broken"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 200ms, jitter: 0}
                        """)
                .connector("refusing", """
                        type: route
                        uri: direct:refusing-crm
                        filter: {products: ["p-refusing"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 200ms, jitter: 0}
                        """)
                .connector("flaky", """
                        type: route
                        uri: direct:flaky-crm
                        filter: {products: ["p-flaky"]}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 200ms, jitter: 0}
                        """)
                .start();
    }

    @AfterAll
    void stopHub() throws Exception {
        Teardown.inOrder(hub, database);
    }

    @Test
    void aRouteDefinedOnlyInYamlReceivesTheEventAndItsHeaders() throws Exception {
        Checkouts.start(hub, "route-1", "p-route", "49.00", "DE");

        // delivered means the route returned, so the file is complete
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.count("select count(*) from delivery where connector = 'crm' and status = 'delivered'")
                        == 1);
        assertThat(files()).hasSize(1);
        Path file = files().get(0);
        JsonNode event = JSON.readTree(Files.readString(file));
        String id = event.get("id").asText();
        assertThat(id).startsWith("evt_");
        // the file name was built in the integrator's route from the hub's headers
        assertThat(file.getFileName().toString()).isEqualTo(id + "-checkout.abandoned-1.json");
        assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
        assertThat(event.get("checkout").get("id").asText()).isEqualTo("cart-route-1");
        assertThat(event.get("checkout").get("total").asText()).isEqualTo("49.00");
        assertThat(event.get("customer").get("email").asText()).isEqualTo("route-1@example.com");
        assertThat(hub.count("select count(*) from delivery where connector = 'crm' and event_id = ?", id))
                .isEqualTo(1);
    }

    @Test
    void anExceptionInTheRouteIsRetriedAndThenDeadLetteredWithItsError() {
        Checkouts.start(hub, "broken-1", "p-broken", "49.00", "DE");

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "broken");
        assertThat(letter.attempts()).isEqualTo(3);
        assertThat(letter.payload()).contains("cart-broken-1");
        assertThat(letter.reason())
                .startsWith("Gave up after 3 attempts")
                .contains("IllegalStateException: The CRM is down for maintenance");
        assertThat(letter.attemptLog()).hasSize(3).allSatisfy(attempt -> {
            assertThat(attempt.outcome()).isEqualTo("retry");
            assertThat(attempt.error()).endsWith("IllegalStateException: The CRM is down for maintenance");
        });
        // the other route connector's filter kept this checkout away from it
        assertThat(hub.count("select count(*) from delivery d join outbound_event e on e.id = d.event_id "
                        + "where d.connector = 'crm' and e.payload like '%cart-broken-1%'"))
                .isZero();
    }

    @Test
    void aPermanentDeliveryExceptionInTheRouteIsDeadLetteredAtOnceWithItsMessage() {
        Checkouts.start(hub, "refused-1", "p-refusing", "49.00", "DE");

        DeadLetter letter = VendorEvents.awaitDeadLetter(hub, "refusing");
        assertThat(letter.attempts()).isEqualTo(1);
        assertThat(letter.payload()).contains("cart-refused-1");
        assertThat(letter.reason())
                .isEqualTo(
                        "Not retried (replay it once the cause is fixed): PermanentDeliveryException: The CRM has no list for shop test-shop");
        assertThat(letter.attemptLog()).singleElement().satisfies(attempt -> {
            assertThat(attempt.outcome()).isEqualTo("dead");
            assertThat(attempt.error()).isEqualTo("PermanentDeliveryException: The CRM has no list for shop test-shop");
        });
        assertThat(hub.count("select count(*) from delivery where connector = 'refusing' and status = 'dead'"))
                .isEqualTo(1);
    }

    @Test
    void anIllegalStateExceptionInTheRouteIsRetriedAndTheRetryDelivers() throws Exception {
        Checkouts.start(hub, "flaky-1", "p-flaky", "49.00", "DE");

        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'flaky' and status = 'delivered'")
                                == 1);
        assertThat(hub.jdbc().sql("""
                select a.outcome from delivery_attempt a join delivery d on d.id = a.delivery_id
                where d.connector = 'flaky' order by a.attempt""").query(String.class).list()).containsExactly("retry", "delivered");
        assertThat(hub.jdbc().sql("""
                select a.error from delivery_attempt a join delivery d on d.id = a.delivery_id
                where d.connector = 'flaky' and a.attempt = 1""").query(String.class).single())
                .isEqualTo("IllegalStateException: The CRM is busy");
        try (var stream = Files.list(flakyReceived)) {
            assertThat(stream.toList()).hasSize(1);
        }
    }

    @Test
    void aUriThatIsNotACamelEndpointIsRefusedNamingTheKey() throws Exception {
        Path file = Files.writeString(home.resolve("bad-route.yaml"), "type: route\nuri: my crm\n");
        Throwable thrown = catchThrowable(() -> new ConnectorLoader(new MockEnvironment()).load(file));
        assertThat(thrown)
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file + ": key 'uri'");

        Path missing = Files.writeString(home.resolve("no-uri.yaml"), "type: route\n");
        assertThat(catchThrowable(() -> new ConnectorLoader(new MockEnvironment()).load(missing)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageContaining("uri");
    }

    private List<Path> files() throws Exception {
        try (var stream = Files.list(received)) {
            return stream.filter(p -> p.toString().endsWith(".json")).toList();
        }
    }
}
