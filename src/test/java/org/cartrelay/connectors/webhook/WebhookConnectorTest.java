package org.cartrelay.connectors.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.support.FormBody;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The webhook connector (SPEC section 5) against a WireMock receiver, through one whole hub: body formats, Standard
 * Webhooks signing, extra headers, auth, and which events reach a connector (events, filter, enabled). Each
 * connector listens to its own product id, so every test's checkouts reach only the connectors it is about.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookConnectorTest {

    private static final String SECRET = "whsec_c2lnbmluZy1rZXktZm9yLXRoZS13ZWJob29rLXRlc3Q=";
    private static final ObjectMapper JSON = new ObjectMapper();

    private WireMockServer receiver;
    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() {
        receiver = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        receiver.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(204)));
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("HOOK_TOKEN", "tok-from-the-environment")
                .connector("json", hook("/json", "p-json", ""))
                .connector("form", hook("/form", "p-form", "format: form"))
                .connector("signed", hook("/signed", "p-signed", """
                        secret: %s
                        headers: {X-Shop: demo, X-Trace-Origin: cartrelay-test}""".formatted(SECRET)))
                .connector("basic", hook("/basic", "p-basic", "auth: {basic: {user: shop, password: pa55:word}}"))
                .connector("bearer", hook("/bearer", "p-bearer", "auth: {bearer: \"${HOOK_TOKEN}\"}"))
                .connector("header", hook("/header", "p-header", "auth: {header: {name: X-Api-Key, value: k-123}}"))
                .connector("recovered-only", hook("/recovered-only", "p-events", "events: [checkout.recovered]"))
                .connector("both-events", hook("/both-events", "p-events", ""))
                .connector("filtered", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/filtered
                        filter: {minTotal: "50.00", products: ["p-filter"], countries: ["US", "CA"]}
                        """.formatted(receiver.port()))
                .connector("disabled", hook("/disabled", "p-disabled", "enabled: false"))
                .connector("disabled-twin", hook("/disabled-twin", "p-disabled", ""))
                .start();
    }

    @AfterAll
    void stopHub() {
        if (hub != null) {
            hub.close();
        }
        receiver.stop();
        database.close();
    }

    private String hook(String path, String product, String extra) {
        return """
                type: webhook
                endpoint: http://127.0.0.1:%d%s
                filter: {products: ["%s"]}
                retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                %s
                """.formatted(receiver.port(), path, product, extra);
    }

    private List<LoggedRequest> received(String path) {
        return receiver.findAll(postRequestedFor(urlEqualTo(path)));
    }

    /** The one request to {@code path} whose body mentions {@code cart-<key>}, once it has arrived. */
    private LoggedRequest awaitOne(String path, String key) {
        await().atMost(Duration.ofSeconds(20)).until(() -> of(path, key).size() == 1);
        return of(path, key).get(0);
    }

    private List<LoggedRequest> of(String path, String key) {
        return received(path).stream().filter(r -> r.getBodyAsString().contains("cart-" + key)).toList();
    }

    private static JsonNode json(LoggedRequest request) throws Exception {
        return JSON.readTree(request.getBodyAsString());
    }

    private long deliveries(String connector, String key) {
        return hub.count("select count(*) from delivery d join outbound_event e on e.id = d.event_id "
                + "where d.connector = ? and e.payload like ?", connector, "%cart-" + key + "\"%");
    }

    private long events(String key) {
        return hub.count("select count(*) from outbound_event where payload like ?", "%cart-" + key + "\"%");
    }

    @Test
    void theEventIsPostedAsJsonWithItsIdAsWebhookId() throws Exception {
        Checkouts.start(hub, "json-1", "p-json", "49.00", "DE");

        LoggedRequest request = awaitOne("/json", "json-1");
        JsonNode event = json(request);
        assertThat(request.getMethod().getName()).isEqualTo("POST");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
        assertThat(event.get("id").asText()).startsWith("evt_").isEqualTo(request.getHeader("webhook-id"));
        assertThat(event.get("checkout").get("id").asText()).isEqualTo("cart-json-1");
        assertThat(event.get("checkout").get("total").asText()).isEqualTo("49.00");
        assertThat(event.get("checkout").get("items").get(0).get("productId").asText()).isEqualTo("p-json");
        assertThat(event.get("customer").get("email").asText()).isEqualTo("json-1@example.com");
        assertThat(event.get("abandonment").get("abandonedAt").asText()).isNotBlank();
        // no secret in the file: unsigned
        assertThat(request.containsHeader("webhook-signature")).isFalse();
        assertThat(request.containsHeader("webhook-timestamp")).isFalse();
        assertThat(request.containsHeader("Authorization")).isFalse();
        // nothing of the hub's internal exchange headers leaks to the receiver
        assertThat(request.getAllHeaderKeys()).noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                || name.toLowerCase().startsWith("camel"));
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.count(
                "select count(*) from delivery where connector = 'json' and status = 'delivered'") == 1);
    }

    @Test
    void formatFormPostsFlatFormFieldsInTheDigistore24Vocabulary() {
        Checkouts.start(hub, "form-1", "p-form", "19.90", "AT");

        LoggedRequest request = awaitOne("/form", "form-1");
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        Map<String, String> fields = FormBody.parse(request.getBody()).asMap();
        assertThat(fields).containsEntry("event", "checkout_abandoned")
                .containsEntry("event_id", request.getHeader("webhook-id"))
                .containsEntry("source", "test-shop")
                .containsEntry("order_id", "cart-form-1")
                .containsEntry("currency", "EUR")
                .containsEntry("amount", "19.90")
                .containsEntry("product_id", "p-form")
                .containsEntry("product_name", "Tea")
                .containsEntry("quantity", "1")
                .containsEntry("email", "form-1@example.com")
                .containsEntry("first_name", "Test")
                .containsEntry("last_name", "Buyer")
                .containsEntry("address_city", "Berlin")
                .containsEntry("address_country", "AT")
                .containsEntry("newsletter_choice", "yes");
        assertThat(fields.get("event_id")).startsWith("evt_");
        assertThat(fields.get("abandoned_at")).isNotBlank();
        assertThat(request.getBodyAsString()).doesNotStartWith("{");
    }

    @Test
    void aSecretSignsEachRequestPerStandardWebhooks() throws Exception {
        Instant before = hub.clock().instant();
        Checkouts.start(hub, "signed-1", "p-signed", "49.00", "DE");

        LoggedRequest request = awaitOne("/signed", "signed-1");
        String id = request.getHeader("webhook-id");
        assertThat(id).isEqualTo(json(request).get("id").asText());
        assertThat(hub.count("select count(*) from outbound_event where id = ? and type = 'checkout.abandoned'", id))
                .isEqualTo(1);
        long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
        assertThat(timestamp).isBetween(before.getEpochSecond() - 1, hub.clock().instant().getEpochSecond() + 1);

        // verified here with javax.crypto alone: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the secret's key
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected = mac.doFinal((id + "." + timestamp + "." + request.getBodyAsString())
                .getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeader("webhook-signature").split(" "))
                .contains("v1," + Base64.getEncoder().encodeToString(expected));

        mac.init(new SecretKeySpec("some other key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] wrongKey = mac.doFinal((id + "." + timestamp + "." + request.getBodyAsString())
                .getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeader("webhook-signature")).doesNotContain(Base64.getEncoder().encodeToString(wrongKey));
    }

    @Test
    void extraHeadersFromTheFileAreSent() {
        Checkouts.start(hub, "headers-1", "p-signed", "49.00", "DE");

        LoggedRequest request = awaitOne("/signed", "headers-1");
        assertThat(request.getHeader("X-Shop")).isEqualTo("demo");
        assertThat(request.getHeader("X-Trace-Origin")).isEqualTo("cartrelay-test");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
    }

    @Test
    void basicAuthSendsTheUserAndPasswordFromTheFile() {
        Checkouts.start(hub, "basic-1", "p-basic", "49.00", "DE");

        LoggedRequest request = awaitOne("/basic", "basic-1");
        assertThat(request.getHeader("Authorization")).isEqualTo("Basic "
                + Base64.getEncoder().encodeToString("shop:pa55:word".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void bearerAuthSendsTheTokenResolvedFromTheEnvironment() {
        Checkouts.start(hub, "bearer-1", "p-bearer", "49.00", "DE");

        LoggedRequest request = awaitOne("/bearer", "bearer-1");
        assertThat(request.getHeader("Authorization")).isEqualTo("Bearer tok-from-the-environment");
    }

    @Test
    void headerAuthSendsTheNamedHeader() {
        Checkouts.start(hub, "header-1", "p-header", "49.00", "DE");

        LoggedRequest request = awaitOne("/header", "header-1");
        assertThat(request.getHeader("X-Api-Key")).isEqualTo("k-123");
        assertThat(request.containsHeader("Authorization")).isFalse();
    }

    @Test
    void eventsRestrictsWhichEventTypesAConnectorReceives() throws Exception {
        Checkouts.start(hub, "events-1", "p-events", "49.00", "DE");
        // the connector that takes every type gets the abandonment …
        LoggedRequest abandoned = awaitOne("/both-events", "events-1");
        assertThat(json(abandoned).get("type").asText()).isEqualTo("checkout.abandoned");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.count(
                "select count(*) from checkout where checkout_ref = 'cart-events-1' and status = 'abandoned'") == 1);

        Checkouts.complete(hub, "events-1", "49.00");
        await().atMost(Duration.ofSeconds(20)).until(() -> of("/both-events", "events-1").size() == 2);
        LoggedRequest recovered = awaitOne("/recovered-only", "events-1");

        // … the one restricted to checkout.recovered gets only the recovery
        assertThat(json(recovered).get("type").asText()).isEqualTo("checkout.recovered");
        assertThat(json(recovered).get("recovery").get("orderId").asText()).isEqualTo("ord-events-1");
        assertThat(of("/recovered-only", "events-1")).hasSize(1);
        assertThat(deliveries("recovered-only", "events-1")).isEqualTo(1);
        assertThat(deliveries("both-events", "events-1")).isEqualTo(2);
    }

    @Test
    void theFilterLetsThroughOnlyCheckoutsThatPassEveryCondition() {
        Checkouts.start(hub, "filter-pass", "p-filter", "99.00", "US");
        Checkouts.start(hub, "filter-edge", "p-filter", "50.00", "CA");
        Checkouts.start(hub, "filter-cheap", "p-filter", "49.99", "US");
        Checkouts.start(hub, "filter-country", "p-filter", "99.00", "DE");
        Checkouts.start(hub, "filter-product", "p-other", "99.00", "US");
        // the fan-out decides in the abandonment's transaction: once the five events exist, so do their deliveries
        await().atMost(Duration.ofSeconds(20)).until(() -> List.of("filter-pass", "filter-edge", "filter-cheap",
                "filter-country", "filter-product").stream().allMatch(key -> events(key) == 1));

        awaitOne("/filtered", "filter-pass");
        awaitOne("/filtered", "filter-edge");
        assertThat(deliveries("filtered", "filter-cheap")).isZero();
        assertThat(deliveries("filtered", "filter-country")).isZero();
        assertThat(deliveries("filtered", "filter-product")).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.count(
                "select count(*) from delivery where connector = 'filtered' and status = 'delivered'") == 2);
        assertThat(received("/filtered")).hasSize(2);
    }

    @Test
    void aDisabledConnectorSendsNothing() {
        Checkouts.start(hub, "disabled-1", "p-disabled", "49.00", "DE");

        awaitOne("/disabled-twin", "disabled-1");
        await().atMost(Duration.ofSeconds(10)).until(() -> hub.count(
                "select count(*) from delivery where connector = 'disabled-twin' and status = 'delivered'") == 1);
        assertThat(deliveries("disabled", "disabled-1")).isZero();
        assertThat(received("/disabled")).isEmpty();
        assertThat(hub.count("select count(*) from delivery where connector = 'disabled'")).isZero();
    }
}
