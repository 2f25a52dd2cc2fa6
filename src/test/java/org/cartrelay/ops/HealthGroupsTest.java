package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.ProxiedDatabase;
import org.cartrelay.testing.TcpProxy;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;

/**
 * The health groups (application.yml, {@link ConnectorHealth}) on one hub with three webhook connectors: {@code paused}
 * (paused by the operator), {@code broken} (its receiver answers 503 until its breaker opens) and {@code fine}. The
 * probes and the root stay 200 whatever the connectors do; the {@code connectors} group and a connector's own path
 * answer 503 for a paused connector or an open breaker; details need the admin's credentials. And readiness follows
 * the store: DOWN (503) while the database cannot be reached, liveness UP all the while. Each connector listens to its
 * own product id, so a checkout reaches only the connector it is meant for.
 */
class HealthGroupsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final VendorHub RECEIVER = VendorHub.type("webhook", """
            timeout: 5s
            retry: {maxAttempts: 30, initialDelay: 100ms, multiplier: 1, maxDelay: 1s, jitter: 0}
            """)
            .stubs(receiver -> {
                receiver.stubFor(
                        post(urlEqualTo("/paused")).willReturn(aResponse().withStatus(200)));
                receiver.stubFor(
                        post(urlEqualTo("/broken")).willReturn(aResponse().withStatus(503)));
                receiver.stubFor(
                        post(urlEqualTo("/fine")).willReturn(aResponse().withStatus(200)));
            })
            .property("cartrelay.admin.username", "ops")
            .property("cartrelay.admin.password", "s3cret-ops")
            .property("cartrelay.delivery.breaker.sliding-window", "3")
            .property("cartrelay.delivery.breaker.minimum-calls", "3")
            // once open, the breaker stays open for the whole class: no trial call closes it in between
            .property("cartrelay.delivery.breaker.open-for", "10m")
            .property("cartrelay.delivery.breaker.max-open-for", "10m")
            .connector("paused", "p-paused", "")
            .connector("broken", "p-broken", "")
            .connector("fine", "p-fine", "rateLimit: 10/s");

    private final TestHub hub = RECEIVER.hub();

    @BeforeAll
    static void pauseOneAndBreakAnother() {
        TestHub hub = RECEIVER.hub();
        ConnectorRuntimes runtimes = hub.bean(ConnectorRuntimes.class);
        runtimes.pause("paused");

        Checkouts.start(hub, "paused-1", "p-paused", "49.00", "DE");
        Checkouts.start(hub, "fine-1", "p-fine", "49.00", "DE");
        for (int i = 1; i <= 4; i++) {
            Checkouts.start(hub, "broken-" + i, "p-broken", "49.00", "DE");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> runtimes.get("broken").orElseThrow().circuitState() == CircuitBreaker.State.OPEN);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'fine' and status = 'delivered'")
                                == 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'paused' and status = 'pending'")
                                == 1);
        assertThat(RECEIVER.vendor().findAll(postRequestedFor(urlEqualTo("/paused"))))
                .isEmpty();
    }

    private HttpResponse<String> get(URI uri, boolean authenticated) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
        if (authenticated) {
            request.header("Authorization", AUTH);
        }
        return TestHub.send(request);
    }

    private HttpResponse<String> get(String path) {
        return get(hub.uri(path), false);
    }

    /** The answer's status code, with its body in the failure message. */
    private void assertCode(HttpResponse<String> response, int code) {
        assertThat(response.statusCode())
                .as("%s answered %s", response.uri().getPath(), response.body())
                .isEqualTo(code);
    }

    /** The path answers this HTTP status with this health status; its body. */
    private JsonNode assertAnswer(String path, int code, String status) throws Exception {
        HttpResponse<String> response = get(path);
        assertCode(response, code);
        JsonNode body = json(response);
        assertThat(body.path("status").asText()).as(path).isEqualTo(status);
        return body;
    }

    private JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    private List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void readinessAndLivenessAnswer200AndUpWhileAConnectorIsPausedAndAnotherHasItsBreakerOpen() throws Exception {
        JsonNode readiness = assertAnswer("/actuator/health/readiness", 200, "UP");
        // ready means the store answers: no connector is part of it
        assertThat(names(readiness.path("components"))).containsExactlyInAnyOrder("readinessState", "db");

        JsonNode liveness = assertAnswer("/actuator/health/liveness", 200, "UP");
        assertThat(names(liveness.path("components"))).containsExactly("livenessState");
    }

    @Test
    void readyzAndLivezOnTheMainPortAnswer200AndUp() throws Exception {
        assertAnswer("/readyz", 200, "UP");

        assertAnswer("/livez", 200, "UP");
    }

    /** Each connector's status as a health answer lists it under {@code connector}. */
    private void assertConnectorStatuses(JsonNode body) {
        JsonNode connectors = body.path("components").path("connector").path("components");
        assertThat(names(connectors)).containsExactlyInAnyOrder("paused", "broken", "fine");
        assertThat(connectors.path("paused").path("status").asText()).isEqualTo("PAUSED");
        assertThat(connectors.path("broken").path("status").asText()).isEqualTo("CIRCUIT_OPEN");
        assertThat(connectors.path("fine").path("status").asText()).isEqualTo("UP");
    }

    @Test
    void theRootHealthAnswers200AndUpWhileItListsAPausedAndABrokenConnector() throws Exception {
        assertConnectorStatuses(assertAnswer("/actuator/health", 200, "UP"));
    }

    @Test
    void theConnectorsGroupAnswers503AndShowsEachConnectorsStatus() throws Exception {
        // its own order: an open breaker outranks a pause
        assertConnectorStatuses(assertAnswer("/actuator/health/connectors", 503, "CIRCUIT_OPEN"));
    }

    @Test
    void aConnectorsOwnPathAnswers503WhilePausedOrItsBreakerIsOpenAnd200WhileUp() throws Exception {
        assertAnswer("/actuator/health/connector/paused", 503, "PAUSED");

        assertAnswer("/actuator/health/connector/broken", 503, "CIRCUIT_OPEN");

        assertAnswer("/actuator/health/connector/fine", 200, "UP");
    }

    @Test
    void theAdminsCredentialsShowEachConnectorsCircuitConcurrencyRateLimitAndPending() throws Exception {
        // the backlog behind "pending" is read at most once a second
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            HttpResponse<String> group = get(hub.uri("/actuator/health/connectors"), true);
            assertCode(group, 503);
            JsonNode connectors =
                    json(group).path("components").path("connector").path("components");
            for (String name : List.of("paused", "broken", "fine")) {
                assertThat(names(connectors.path(name).path("details")))
                        .as(name)
                        .contains("circuit", "concurrency", "rateLimit", "pending", "deadLetters");
            }
            JsonNode paused = connectors.path("paused").path("details");
            assertThat(paused.path("circuit").asText()).isEqualTo("CLOSED");
            assertThat(paused.path("paused").asBoolean()).isTrue();
            assertThat(paused.path("concurrency").asInt()).isEqualTo(4);
            assertThat(paused.path("rateLimit").asText()).isEqualTo("unlimited");
            assertThat(paused.path("pending").asLong()).isEqualTo(1);

            JsonNode broken = connectors.path("broken").path("details");
            assertThat(broken.path("circuit").asText()).isEqualTo("OPEN");
            // while its breaker is open, tried deliveries keep their own retries and may die: none is delivered
            assertThat(broken.path("pending").asLong()
                            + broken.path("deadLetters").asLong())
                    .isEqualTo(4);
            assertThat(broken.path("lastError").asText()).contains("503");

            JsonNode fine = connectors.path("fine").path("details");
            assertThat(fine.path("circuit").asText()).isEqualTo("CLOSED");
            assertThat(fine.path("rateLimit").asText()).isEqualTo("10.0/s");
            assertThat(fine.path("pending").asLong()).isZero();
        });

        // a connector's own path shows the same
        HttpResponse<String> own = get(hub.uri("/actuator/health/connector/broken"), true);
        assertCode(own, 503);
        assertThat(json(own).path("details").path("circuit").asText()).isEqualTo("OPEN");
    }

    @Test
    void withoutCredentialsNoDetailsAreShownAnywhere() throws Exception {
        for (String path : List.of(
                "/actuator/health",
                "/actuator/health/connectors",
                "/actuator/health/readiness",
                "/actuator/health/connector/paused",
                "/actuator/health/connector/broken",
                "/actuator/health/connector/fine")) {
            HttpResponse<String> response = get(path);
            assertThat(json(response).findValues("details")).as(path).isEmpty();
            assertThat(json(response).path("status").asText()).as(path).isNotEmpty();
        }
    }

    @Test
    void readinessGoesDownWhileTheDatabaseIsUnreachableAndUpAgainAfterwardsAndLivenessStaysUp() throws Exception {
        try (ProxiedDatabase backend = ProxiedDatabase.start();
                TestHub down = backend.hub().start()) {
            TcpProxy proxy = backend.proxy();
            assertCode(get(down.uri("/actuator/health/readiness"), false), 200);

            proxy.down();
            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(() -> assertCode(get(down.uri("/actuator/health/readiness"), false), 503));
            HttpResponse<String> readiness = get(down.uri("/actuator/health/readiness"), false);
            assertThat(json(readiness).path("status").asText()).isEqualTo("DOWN");
            assertThat(json(readiness)
                            .path("components")
                            .path("db")
                            .path("status")
                            .asText())
                    .isEqualTo("DOWN");
            assertCode(get(down.uri("/readyz"), false), 503);
            HttpResponse<String> liveness = get(down.uri("/actuator/health/liveness"), false);
            assertCode(liveness, 200);
            assertThat(json(liveness).path("status").asText()).isEqualTo("UP");
            assertCode(get(down.uri("/livez"), false), 200);

            proxy.up();
            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() -> assertCode(get(down.uri("/actuator/health/readiness"), false), 200));
        }
    }
}
