package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
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
import java.time.Instant;
import java.util.Base64;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;

/**
 * Dead letters keep the payload and every attempt, and come back by id, by connector or by time range over
 * {@code /api/dead-letters}, as new deliveries of the same event id. The API needs the admin's credentials.
 */
class DeadLetterReplayTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    @RegisterExtension
    static final VendorHub RECEIVER = VendorHub.type("webhook", "")
            .property("cartrelay.admin.username", "ops")
            .property("cartrelay.admin.password", "s3cret-ops")
            .connector("crm", receiver -> """
                    type: webhook
                    endpoint: %s
                    retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                    """.formatted(receiver.url("/in")));

    private final TestHub hub = RECEIVER.hub();
    private final WireMockServer receiver = RECEIVER.vendor();

    private HttpResponse<String> api(String method, String path, boolean authenticated) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (authenticated) {
            request.header("Authorization", AUTH);
        }
        return TestHub.send(request);
    }

    private long dead() {
        return hub.count("select count(*) from delivery where status = 'dead'");
    }

    /** Lets {@code count} new checkouts die (the receiver refuses them with 400) and returns when they have. */
    private void letDie(String prefix, int count) {
        long before = dead();
        Notices.startCheckouts(hub, prefix, count);
        await().atMost(Duration.ofSeconds(15)).until(() -> dead() == before + count);
    }

    @Test
    void deadLettersAreListedWithAttemptsAndReplayedByIdConnectorAndTimeRange() throws Exception {
        receiver.stubFor(post(urlEqualTo("/in"))
                .willReturn(aResponse().withStatus(400).withBody("{\"error\":\"missing field shop_id\"}")));
        letDie("by-id", 1);
        Instant afterFirst = Instant.now();
        letDie("by-range", 1);
        Instant afterSecond = Instant.now();
        letDie("by-connector", 2);

        assertThat(api("GET", "/api/dead-letters", false).statusCode()).isEqualTo(401);
        JsonNode list = JSON.readTree(
                api("GET", "/api/dead-letters?connector=crm", true).body());
        assertThat(list).hasSize(4);
        JsonNode byId = null;
        for (JsonNode letter : list) {
            if (letter.at("/payload/checkout/id").asText().equals("cart-by-id-0")) {
                byId = letter;
            }
        }
        assertThat(byId).isNotNull();
        assertThat(byId.get("reason").asText()).contains("HTTP 400");
        assertThat(byId.get("attempts")).hasSize(1);
        assertThat(byId.at("/attempts/0/statusCode").asInt()).isEqualTo(400);
        assertThat(byId.at("/attempts/0/responseBody").asText()).contains("missing field shop_id");
        assertThat(byId.at("/payload/type").asText()).isEqualTo("checkout.abandoned");
        String eventId = byId.get("eventId").asText();

        receiver.resetAll();
        receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));

        // one, by id
        HttpResponse<String> one =
                api("POST", "/api/dead-letters/" + byId.get("id").asText() + "/replay", true);
        assertThat(one.statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        receiver.findAll(postRequestedFor(urlEqualTo("/in")).withHeader("webhook-id", equalTo(eventId)))
                                        .size()
                                == 1);
        // the attempt is recorded just after the receiver answered
        String replayed = byId.get("id").asText();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from delivery where replay_of = ? and status = 'delivered'", replayed)
                        == 1);
        assertThat(hub.count(
                        "select count(*) from delivery where id = ? and status = 'replayed'",
                        byId.get("id").asText()))
                .isEqualTo(1);
        assertThat(api("POST", "/api/dead-letters/" + byId.get("id").asText() + "/replay", true)
                        .statusCode())
                .isEqualTo(404);

        // those that died within a time range
        JsonNode range =
                JSON.readTree(api("POST", "/api/dead-letters/replay?from=" + afterFirst + "&to=" + afterSecond, true)
                        .body());
        assertThat(range.get("replayed")).hasSize(1);

        // all of a connector
        JsonNode all = JSON.readTree(
                api("POST", "/api/dead-letters/replay?connector=crm", true).body());
        assertThat(all.get("replayed")).hasSize(2);

        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        hub.count("select count(*) from delivery where replay_of is not null and status = 'delivered'")
                                == 4);
        assertThat(dead()).isZero();
        assertThat(JSON.readTree(api("GET", "/api/dead-letters", true).body())).isEmpty();
        assertThat(api("POST", "/api/dead-letters/replay", true).statusCode()).isEqualTo(400);
        assertThat(api("GET", "/api/dead-letters?from=yesterday", true).statusCode())
                .isEqualTo(400);
    }
}
