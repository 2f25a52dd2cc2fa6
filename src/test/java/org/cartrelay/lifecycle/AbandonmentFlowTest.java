package org.cartrelay.lifecycle;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.cartrelay.support.StandardWebhooks;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The whole path: a Digistore24 order-form entry, the abandonment timer, and a webhook receiver (WireMock) that gets
 * a correctly signed {@code checkout.abandoned}; an order in time suppresses it, a later order recovers it, a
 * restart between entry and due time still emits exactly once, and a checkout due before where the timer's looks
 * start is still found.
 */
class AbandonmentFlowTest {

    private static final String SECRET = "whsec_dGVzdC1yZWNlaXZlci1zZWNyZXQtMTIzNDU2Nzg=";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock ->
            wireMock.stubFor(post(urlEqualTo("/ipn")).willReturn(aResponse().withStatus(204))));

    private TestHub.Builder hub(String delay) {
        return TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", delay)
                .connector("crm-hook", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/ipn
                        secret: %s
                        headers: {X-Shop: demo}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(receiver.getPort(), SECRET));
    }

    private List<LoggedRequest> received() {
        return receiver.findAll(postRequestedFor(urlEqualTo("/ipn")));
    }

    private static JsonNode json(LoggedRequest request) throws Exception {
        return JSON.readTree(request.getBodyAsString());
    }

    @Test
    void anEntryThatIsNotPaidForReachesTheReceiverAsASignedAbandonedCheckout() throws Exception {
        try (TestHub hub = hub("0s").start()) {
            assertThat(hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"))
                            .body())
                    .isEqualTo("OK");

            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);
            LoggedRequest request = received().get(0);
            JsonNode event = json(request);
            assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
            assertThat(event.get("customer").get("email").asText()).isEqualTo("jane.doe@example.com");
            assertThat(event.get("checkout").get("total").asText()).isEqualTo("197.00");
            assertThat(event.get("checkout")
                            .get("items")
                            .get(0)
                            .get("productId")
                            .asText())
                    .isEqualTo("512345");
            assertThat(event.get("abandonment").get("abandonedAt").asText()).isNotBlank();

            String id = request.getHeader("webhook-id");
            assertThat(id).isEqualTo(event.get("id").asText()).startsWith("evt_");
            long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
            assertThat(StandardWebhooks.withSecret(SECRET)
                            .verify(id, timestamp, request.getBody(), request.getHeader("webhook-signature")))
                    .isTrue();
            assertThat(StandardWebhooks.withSecret(SECRET)
                            .verify(
                                    id,
                                    timestamp,
                                    "tampered".getBytes(StandardCharsets.UTF_8),
                                    request.getHeader("webhook-signature")))
                    .isFalse();
            assertThat(request.getHeader("X-Shop")).isEqualTo("demo");
            assertThat(request.getHeader("Content-Type")).startsWith("application/json");

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 1);
            assertThat(hub.count("select count(*) from checkout where status = 'abandoned'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void anOrderInsideTheDelaySuppressesTheAbandonedEvent() {
        try (TestHub hub = hub("1h").start()) {
            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));
            assertThat(hub.count("select count(*) from checkout where status = 'pending'"))
                    .isEqualTo(1);

            assertThat(hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/on-payment.form"))
                            .body())
                    .isEqualTo("OK");
            assertThat(hub.count("select count(*) from checkout where status = 'converted'"))
                    .isEqualTo(1);

            hub.clock().advance(Duration.ofHours(2));
            Lifecycle lifecycle = hub.bean(Lifecycle.class);
            long runs = lifecycle.timerRuns();
            await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.timerRuns() >= runs + 3);

            assertThat(hub.count("select count(*) from outbound_event")).isZero();
            assertThat(received()).isEmpty();
        }
    }

    @Test
    void anOrderAfterAbandonmentYieldsARecoveredEventWithTheAmount() throws Exception {
        try (TestHub hub = hub("1h").start()) {
            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));
            hub.clock().advance(Duration.ofHours(2));
            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);

            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/on-payment.form"));

            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 2);
            JsonNode abandoned = json(received().stream()
                    .filter(r -> r.getBodyAsString().contains("checkout.abandoned"))
                    .findFirst()
                    .orElseThrow());
            JsonNode recovered = json(received().stream()
                    .filter(r -> r.getBodyAsString().contains("checkout.recovered"))
                    .findFirst()
                    .orElseThrow());
            assertThat(recovered.get("type").asText()).isEqualTo("checkout.recovered");
            assertThat(recovered.get("id").asText())
                    .isNotEqualTo(abandoned.get("id").asText());
            assertThat(recovered.get("recovery").get("amount").asText()).isEqualTo("197.00");
            assertThat(recovered.get("recovery").get("currency").asText()).isEqualTo("USD");
            assertThat(recovered.get("recovery").get("orderId").asText()).isEqualTo("DSX7K2M9");
            assertThat(hub.count("select count(*) from checkout where status = 'recovered'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aRestartBetweenEntryAndDueTimeStillEmitsExactlyOnce() throws Exception {
        java.nio.file.Path home;
        try (TestHub first = hub("3s").start()) {
            first.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));
            assertThat(first.count("select count(*) from checkout where status = 'pending'"))
                    .isEqualTo(1);
            home = first.home();
        }
        assertThat(received()).isEmpty();

        try (TestHub second = hub("3s").home(home).start()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> received().size() == 1);
            Lifecycle lifecycle = second.bean(Lifecycle.class);
            long runs = lifecycle.timerRuns();
            await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.timerRuns() >= runs + 5);
            assertThat(received()).hasSize(1);
            assertThat(second.count("select count(*) from outbound_event where type = 'checkout.abandoned'"))
                    .isEqualTo(1);
            assertThat(json(received().get(0)).get("type").asText()).isEqualTo("checkout.abandoned");
        }
    }

    @Test
    void aCheckoutDueBeforeWhereTheTimerLooksIsStillAbandoned() {
        try (TestHub hub = hub("1h").start()) {
            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));
            Lifecycle lifecycle = hub.bean(Lifecycle.class);
            long runs = lifecycle.timerRuns();
            await().atMost(Duration.ofSeconds(10)).until(() -> lifecycle.timerRuns() >= runs + 3);
            // due an hour ago, as if written by an instance whose clock runs an hour behind: long before where the
            // timer's looks now start, which only its next look from the earliest due time covers
            hub.jdbc()
                    .sql("update checkout set due_at = ? where status = 'pending'")
                    .param(hub.clock().instant().minus(Duration.ofHours(1)).atOffset(java.time.ZoneOffset.UTC))
                    .update();

            await().atMost(Duration.ofSeconds(20)).until(() -> received().size() == 1);
            assertThat(hub.count("select count(*) from checkout where status = 'abandoned'"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aFailingReceiverIsRetriedWithTheSameWebhookId() {
        receiver.resetAll();
        receiver.stubFor(post(urlEqualTo("/ipn"))
                .inScenario("flaky")
                .whenScenarioStateIs("Started")
                .willReturn(aResponse().withStatus(503))
                .willSetStateTo("up"));
        receiver.stubFor(post(urlEqualTo("/ipn"))
                .inScenario("flaky")
                .whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        try (TestHub hub = hub("0s").start()) {
            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 1);
            assertThat(received()).hasSize(2);
            assertThat(received().get(0).getHeader("webhook-id"))
                    .isEqualTo(received().get(1).getHeader("webhook-id"));
            assertThat(hub.count("select count(*) from delivery_attempt")).isEqualTo(2);
            assertThat(hub.count("select count(*) from delivery_attempt where status_code = 503 and outcome = 'retry'"))
                    .isEqualTo(1);
        }
    }
}
