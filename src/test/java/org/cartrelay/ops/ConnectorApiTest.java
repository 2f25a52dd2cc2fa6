package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.management.JMX;
import javax.management.ObjectName;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * {@code /api/connectors} against a real hub and a WireMock target: a 410 disables its connector, a 429 with
 * Retry-After makes its connector wait with the delivery pending, 503s open a breaker, a 400 leaves a dead letter
 * whose attempts the dead-letter API lists. Pause and resume over REST and over JMX are the same operation, seen the
 * same by both; replay over REST sends the dead letters again, and a replay that dies again names the one it
 * replayed. An unknown connector is a 404 with a JSON detail.
 */
class ConnectorApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> {
        wireMock.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(200)));
        wireMock.stubFor(post(urlEqualTo("/gone")).willReturn(aResponse().withStatus(410)));
        wireMock.stubFor(
                post(urlEqualTo("/slow")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "600")));
        wireMock.stubFor(post(urlEqualTo("/broken")).willReturn(aResponse().withStatus(503)));
        wireMock.stubFor(post(urlEqualTo("/bad"))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"unknown list\"}")));
    });

    private TestHub hub;

    @BeforeEach
    void start() {
        hub = TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                // three failed calls open a breaker, and it stays open for the test
                .property("cartrelay.delivery.breaker.sliding-window", "3")
                .property("cartrelay.delivery.breaker.minimum-calls", "3")
                .property("cartrelay.delivery.breaker.open-for", "10m")
                .property("cartrelay.delivery.breaker.max-open-for", "10m")
                .connector("ok", receiver.webhook("/ok"))
                .connector("gone", receiver.webhook("/gone"))
                .connector("slow", receiver.webhook("/slow"))
                .connector("bad", receiver.webhook("/bad"))
                .connector(
                        "broken",
                        receiver.webhook("/broken") + "retry: {maxAttempts: 5, initialDelay: 100ms, maxDelay: 200ms}\n")
                .start();
        HttpResponse<String> response =
                Notices.post(hub, "c1", Notices.checkoutStarted("c1", "ann@example.com", "19.00"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> state("gone").equals("disabled")
                        && state("slow").equals("waiting")
                        && state("ok").equals("ok")
                        && state("broken").equals("circuit-open")
                        && connector("bad").get("deadLetters").asLong() == 1
                        && connector("ok").get("lastSuccess").isTextual());
    }

    @AfterEach
    void stop() throws Exception {
        Teardown.inOrder(hub);
    }

    private HttpResponse<String> call(String method, String path) {
        return TestHub.send(HttpRequest.newBuilder(hub.uri(path))
                .header("Authorization", AUTH)
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private JsonNode json(String method, String path) throws Exception {
        HttpResponse<String> response = call(method, path);
        assertThat(response.statusCode())
                .as(method + " " + path + ": " + response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode connector(String name) throws Exception {
        return json("GET", "/api/connectors/" + name);
    }

    private String state(String name) throws Exception {
        return connector(name).get("state").asText();
    }

    private static ConnectorControlMBean jmx(String name) throws Exception {
        return JMX.newMBeanProxy(
                ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("cartrelay:type=Connector,name=" + name),
                ConnectorControlMBean.class);
    }

    @Test
    void eachConnectorShowsItsStateBacklogAndLastOutcomes() throws Exception {
        Map<String, JsonNode> byName = new HashMap<>();
        json("GET", "/api/connectors").forEach(c -> byName.put(c.get("name").asText(), c));
        assertThat(byName).containsOnlyKeys("ok", "gone", "slow", "bad", "broken");

        JsonNode ok = byName.get("ok");
        assertThat(ok.get("type").asText()).isEqualTo("webhook");
        assertThat(ok.get("state").asText()).isEqualTo("ok");
        assertThat(ok.get("pending").asLong()).isZero();
        assertThat(ok.get("oldestPending").isNull()).isTrue();
        assertThat(Instant.parse(ok.get("lastSuccess").asText()))
                .isBeforeOrEqualTo(hub.clock().instant());
        assertThat(ok.get("lastError").isNull()).isTrue();

        JsonNode gone = byName.get("gone");
        assertThat(gone.get("disabledReason").asText()).startsWith("410 Gone at ");
        assertThat(gone.get("lastError").asText()).startsWith("The receiver answered 410 Gone");
        assertThat(gone.get("lastErrorAt").isTextual()).isTrue();
        assertThat(jmx("gone").getDisabledReason())
                .isEqualTo(gone.get("disabledReason").asText());

        JsonNode slow = byName.get("slow");
        assertThat(Instant.parse(slow.get("waitingUntil").asText()))
                .isAfter(hub.clock().instant());
        assertThat(slow.get("pending").asLong()).isEqualTo(1);
        assertThat(Instant.parse(slow.get("oldestPending").asText()))
                .isBeforeOrEqualTo(hub.clock().instant());
        assertThat(slow.get("lastError").asText()).contains("429");

        JsonNode broken = byName.get("broken");
        assertThat(broken.get("circuit").asText()).isEqualTo("OPEN");
        assertThat(jmx("broken").getCircuitState()).isEqualTo("OPEN");
        assertThat(broken.get("lastError").asText()).contains("503");

        JsonNode bad = byName.get("bad");
        assertThat(bad.get("state").asText()).isEqualTo("ok");
        assertThat(bad.get("deadLetters").asLong()).isEqualTo(1);
        assertThat(bad.get("lastError").asText()).contains("HTTP 400");

        // a dead letter lists its attempts with the stored slice of the answer
        JsonNode letter = json("GET", "/api/dead-letters?connector=bad").get(0);
        JsonNode attempt = letter.get("attempts").get(0);
        assertThat(attempt.get("statusCode").asInt()).isEqualTo(400);
        assertThat(attempt.get("responseBody").asText()).isEqualTo("{\"error\":\"unknown list\"}");
        assertThat(attempt.get("at").isTextual()).isTrue();
    }

    @Test
    void pauseAndResumeOverRestAndJmxAreTheSameOperation() throws Exception {
        JsonNode paused = json("POST", "/api/connectors/ok/pause");
        assertThat(paused.get("state").asText()).isEqualTo("paused");
        assertThat(jmx("ok").isPaused()).isTrue();
        assertThat(hub.count("select count(*) from connector_state where name = 'ok' and paused = true"))
                .isEqualTo(1);

        HttpResponse<String> whilePaused =
                Notices.post(hub, "c2", Notices.checkoutStarted("c2", "bob@example.com", "9.00"));
        assertThat(whilePaused.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> connector("ok").get("pending").asLong() == 1);

        assertThat(json("POST", "/api/connectors/ok/resume").get("state").asText())
                .isEqualTo("ok");
        assertThat(jmx("ok").isPaused()).isFalse();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> connector("ok").get("pending").asLong() == 0);

        jmx("ok").pause();
        assertThat(state("ok")).isEqualTo("paused");
        jmx("ok").resume();
        assertThat(state("ok")).isEqualTo("ok");

        // resume lifts a 410-disable too
        assertThat(json("POST", "/api/connectors/gone/resume").get("state").asText())
                .isEqualTo("ok");
        assertThat(jmx("gone").getDisabledReason()).isNull();
    }

    @Test
    void aReplayThatDiesAgainIsADeadLetterOfItsOwnThatNamesTheOneItReplayed() throws Exception {
        String first =
                json("GET", "/api/dead-letters?connector=bad").get(0).get("id").asText();
        String replay = json("POST", "/api/connectors/bad/replay")
                .get("replayed")
                .get(0)
                .asText();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> json("GET", "/api/deliveries/" + replay)
                        .get("status")
                        .asText()
                        .equals("dead"));
        JsonNode letters = json("GET", "/api/dead-letters?connector=bad");
        assertThat(letters).hasSize(1);
        assertThat(letters.get(0).get("id").asText()).isEqualTo(replay);
        assertThat(letters.get(0).get("replayOf").asText()).isEqualTo(first);
        assertThat(letters.get(0).at("/attempts/0/statusCode").asInt()).isEqualTo(400);
    }

    @Test
    void replaySendsAConnectorsDeadLettersAgain() throws Exception {
        receiver.stubFor(post(urlEqualTo("/bad")).willReturn(aResponse().withStatus(200)));
        JsonNode replayed = json("POST", "/api/connectors/bad/replay");
        assertThat(replayed.get("replayed")).hasSize(1);
        String delivery = replayed.get("replayed").get(0).asText();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> json("GET", "/api/deliveries/" + delivery)
                        .get("status")
                        .asText()
                        .equals("delivered"));
        assertThat(json("POST", "/api/connectors/bad/replay").get("replayed")).isEmpty();
    }

    @Test
    void anUnknownConnectorIsA404WithAJsonDetail() throws Exception {
        for (String[] route : new String[][] {
            {"GET", "/api/connectors/nope"},
            {"POST", "/api/connectors/nope/pause"},
            {"POST", "/api/connectors/nope/resume"},
            {"POST", "/api/connectors/nope/replay"}
        }) {
            HttpResponse<String> response = call(route[0], route[1]);
            assertThat(response.statusCode()).as(route[1]).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                    .contains("json");
            assertThat(JSON.readTree(response.body()).get("detail").asText())
                    .isEqualTo("There is no connector named 'nope'.");
        }
    }

    @Test
    void aForeignSitesPauseRidingOnCachedCredentialsNeedsTheCsrfToken() throws Exception {
        HttpResponse<String> forged = TestHub.send(HttpRequest.newBuilder(hub.uri("/api/connectors/ok/pause"))
                .header("Authorization", AUTH)
                .header("Sec-Fetch-Site", "cross-site")
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(jmx("ok").isPaused()).isFalse();
    }
}
