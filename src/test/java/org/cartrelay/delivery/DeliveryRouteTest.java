package org.cartrelay.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.apache.camel.test.spring.junit5.UseAdviceWith;
import org.cartrelay.CartRelayApplication;
import org.cartrelay.connectors.PermanentDeliveryException;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The delivery route of a {@code route} connector with its target replaced by a mock endpoint ({@link AdviceWith}):
 * what the target does to each attempt (throws, answers 429, refuses for good) becomes the delivery's retries,
 * throttling and dead letter as the {@link DeliveryPolicy} decides. {@link NotifyBuilder} waits for the route's
 * attempts, the stored rows tell what the hub made of them.
 */
@CamelSpringBootTest
// the home folder is read before the test's dynamic properties are there
@SpringBootTest(
        classes = CartRelayApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "cartrelay.home=" + DeliveryRouteTest.HOME)
@UseAdviceWith
@DirtiesContext
class DeliveryRouteTest {

    static final String HOME = "target/delivery-route-test";
    private static final String ROUTE = "deliver-route-crm";
    private static TestDatabase database;

    @Autowired
    CamelContext camel;

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void hub(DynamicPropertyRegistry registry) throws IOException {
        database = TestDatabase.create();
        database.properties().forEach((name, value) -> registry.add(name, () -> value));
        Path home = Path.of(HOME);
        Files.createDirectories(home.resolve("routes"));
        Files.createDirectories(home.resolve("connectors"));
        Files.writeString(home.resolve("connectors/crm.yaml"), """
                type: route
                uri: direct:crm
                events: [checkout.abandoned]
                retry: {maxAttempts: 3, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}
                """);
        registry.add("cartrelay.sources.digistore24.passphrase", () -> Fixtures.DIGISTORE24_PASSPHRASE);
        registry.add("cartrelay.sources.shopify.secret", () -> Fixtures.SHOPIFY_SECRET);
        registry.add("cartrelay.sources.generic.secret", () -> Fixtures.GENERIC_SECRET);
        registry.add("cartrelay.sources.woocommerce.token", () -> "woo-test-token");
        registry.add("cartrelay.abandonment.delay", () -> "0s");
        registry.add("cartrelay.abandonment.poll-interval", () -> "100ms");
        registry.add("cartrelay.delivery.poll-interval", () -> "50ms");
        registry.add("camel.main.jmx-enabled", () -> "false");
        registry.add("spring.jmx.enabled", () -> "false");
    }

    @AfterAll
    static void dropDatabase() {
        database.close();
    }

    @BeforeEach
    void replaceTheTarget() throws Exception {
        if (!camel.isStarted()) {
            AdviceWith.adviceWith(
                    camel,
                    ROUTE,
                    route -> route.weaveByToUri("direct:crm").replace().to("mock:crm"));
            MockEndpoint target = camel.getEndpoint("mock:crm", MockEndpoint.class);
            // each checkout of a test stands for a behaviour of the target, by its id in the event
            target.whenAnyExchangeReceived(DeliveryRouteTest::target);
            camel.start();
        }
    }

    private static void target(Exchange exchange) {
        String event = exchange.getMessage().getBody(String.class);
        int attempt = exchange.getMessage().getHeader("CartRelayAttempt", Integer.class);
        if (event.contains("cart-flaky") && attempt < 3) {
            throw new IllegalStateException("The CRM is busy");
        }
        if (event.contains("cart-broken")) {
            throw new IllegalStateException("The CRM is down for maintenance");
        }
        if (event.contains("cart-refused")) {
            throw new PermanentDeliveryException("The CRM has no list for shop test-shop");
        }
        if (event.contains("cart-busy") && attempt == 1) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 429);
            exchange.getMessage().setHeader("Retry-After", "1");
        }
    }

    private NotifyBuilder attempts(String checkout, int count) {
        return new NotifyBuilder(camel)
                .fromRoute(ROUTE)
                .filter(exchange -> exchange.getMessage().getBody(String.class).contains("cart-" + checkout))
                .whenDone(count)
                .create();
    }

    private void startCheckout(String key) {
        HttpResponse<String> response = Notices.post(
                URI.create("http://127.0.0.1:" + port),
                "msg-" + key,
                Notices.checkoutStarted(key, key + "@example.com", "49.00"));
        assertThat(response.statusCode()).isEqualTo(202);
    }

    private record Row(String status, int attempts, String reason) {}

    private Row delivery(String checkout) {
        List<Row> rows =
                jdbc.sql("""
                select d.status, d.attempts, d.last_error as reason from delivery d join outbound_event e on e.id = d.event_id
                where e.payload like ?""").param("%cart-" + checkout + "%").query(Row.class).list();
        assertThat(rows).hasSize(1);
        return rows.get(0);
    }

    @Test
    void aTargetThatFailsTwiceIsTriedAgainUntilItTakesTheEvent() {
        NotifyBuilder three = attempts("flaky", 3);
        startCheckout("flaky");

        assertThat(three.matches(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "delivered".equals(delivery("flaky").status()));
        assertThat(delivery("flaky").attempts()).isEqualTo(3);
    }

    @Test
    void aTargetThatKeepsFailingIsGivenUpAfterMaxAttemptsWithTheLastError() {
        NotifyBuilder three = attempts("broken", 3);
        startCheckout("broken");

        assertThat(three.matches(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "dead".equals(delivery("broken").status()));
        Row dead = delivery("broken");
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.reason())
                .isEqualTo("Gave up after 3 attempts; the last one failed with "
                        + "IllegalStateException: The CRM is down for maintenance");
    }

    @Test
    void aPermanentRefusalIsADeadLetterAtOnce() {
        NotifyBuilder one = attempts("refused", 1);
        startCheckout("refused");

        assertThat(one.matches(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "dead".equals(delivery("refused").status()));
        Row dead = delivery("refused");
        assertThat(dead.attempts()).isEqualTo(1);
        assertThat(dead.reason())
                .isEqualTo("Not retried (replay it once the cause is fixed): PermanentDeliveryException: "
                        + "The CRM has no list for shop test-shop");
    }

    @Test
    void aTargetThatAsksToSlowDownGetsTheEventOnceItsWaitIsOverAndTheWaitIsNoFailure() {
        NotifyBuilder two = attempts("busy", 2);
        startCheckout("busy");

        assertThat(two.matches(20, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> "delivered".equals(delivery("busy").status()));
        assertThat(jdbc.sql("""
                select a.outcome from delivery_attempt a join delivery d on d.id = a.delivery_id
                join outbound_event e on e.id = d.event_id where e.payload like ? order by a.attempt""").param("%cart-busy%").query(String.class).list())
                .containsExactly("throttled", "delivered");
    }
}
