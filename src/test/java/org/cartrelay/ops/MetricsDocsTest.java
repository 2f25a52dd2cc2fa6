package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /actuator/prometheus} of a hub with three webhook connectors that delivered, dead-lettered and were paused, so
 * that every labelled series exists: each connector's state is a gauge per state, 1 for the one it is in.
 */
class MetricsDocsTest {

    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)");

    @RegisterExtension
    static final VendorHub RECEIVER = VendorHub.type("webhook", """
            timeout: 5s
            retry: {maxAttempts: 2, initialDelay: 100ms, maxDelay: 200ms, jitter: 0}
            """)
            .stubs(receiver -> {
                receiver.stubFor(
                        post(urlEqualTo("/fine")).willReturn(aResponse().withStatus(200)));
                receiver.stubFor(
                        post(urlEqualTo("/dead")).willReturn(aResponse().withStatus(422)));
                receiver.stubFor(
                        post(urlEqualTo("/paused")).willReturn(aResponse().withStatus(200)));
            })
            .property("cartrelay.admin.username", "ops")
            .property("cartrelay.admin.password", "s3cret-ops")
            .connector("fine", "p-fine", "")
            .connector("dead", "p-dead", "")
            .connector("paused", "p-paused", "");

    private final TestHub hub = RECEIVER.hub();

    @BeforeAll
    static void deliverDeadLetterAndPause() {
        TestHub hub = RECEIVER.hub();
        hub.bean(ConnectorRuntimes.class).pause("paused");
        Checkouts.start(hub, "fine-1", "p-fine", "49.00", "DE");
        Checkouts.start(hub, "dead-1", "p-dead", "49.00", "DE");
        Checkouts.start(hub, "paused-1", "p-paused", "49.00", "DE");
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'fine' and status = 'delivered'")
                                == 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'dead' and status = 'dead'") == 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'paused' and status = 'pending'")
                                == 1);
    }

    /** Every sample of the exposition, by its series (name and labels as written). */
    private Map<String, Double> samples() {
        HttpResponse<String> response = TestHub.send(HttpRequest.newBuilder(hub.uri("/actuator/prometheus"))
                .header("Authorization", AUTH)
                .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : response.body().split("\n")) {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.find()) {
                String labels = sample.group(2) == null ? "" : sample.group(2);
                samples.put(sample.group(1) + labels, value(sample.group(3)));
            }
        }
        return samples;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    @Test
    void eachConnectorsStateIsOneForTheStateItIsInAndZeroForTheOthers() {
        Map<String, Double> samples = samples();

        assertThat(samples)
                .containsEntry("cartrelay_connector_state{connector=\"fine\",state=\"ok\"}", 1.0)
                .containsEntry("cartrelay_connector_state{connector=\"fine\",state=\"paused\"}", 0.0)
                .containsEntry("cartrelay_connector_state{connector=\"paused\",state=\"paused\"}", 1.0)
                .containsEntry("cartrelay_connector_state{connector=\"paused\",state=\"ok\"}", 0.0)
                .containsEntry("cartrelay_connector_state{connector=\"paused\",state=\"circuit-open\"}", 0.0)
                .containsEntry("cartrelay_connector_state{connector=\"paused\",state=\"waiting\"}", 0.0)
                .containsEntry("cartrelay_connector_state{connector=\"paused\",state=\"disabled\"}", 0.0);
    }
}
