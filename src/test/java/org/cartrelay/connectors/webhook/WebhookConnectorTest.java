package org.cartrelay.connectors.webhook;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorConfigFailureAnalyzer;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.DeliveryHttpClient;
import org.cartrelay.support.FormBody;
import org.cartrelay.support.StandardWebhooks;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

/**
 * The webhook connector against a WireMock receiver, through one whole hub: body formats, Standard Webhooks
 * signing (with one secret and with a rotation's several), body templates, extra headers, auth, and which events
 * reach a connector (events, filter, enabled). Each connector listens to its own product id, so every test's
 * checkouts reach only the connectors it is about.
 */
class WebhookConnectorTest {

    private static final String SECRET = "whsec_c2lnbmluZy1rZXktZm9yLXRoZS13ZWJob29rLXRlc3Q=";
    /** The secret a rotation adds. */
    private static final String NEXT_SECRET = "whsec_dGhlLW5leHQtc2lnbmluZy1rZXktb2YtdGhlLXJvdGF0aW9u";
    /** A secret no connector signs with. */
    private static final String UNUSED_SECRET = "whsec_YS1rZXktbm8tY29ubmVjdG9yLXNpZ25zLXdpdGg=";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** A legacy receiver's own field names, one item. */
    private static final String JSON_TEMPLATE = """
            {
              "txn_type": "{{type}}",
              "notification_id": "{{id}}",
              "cart_id": "{{checkout.id}}",
              "payer_email": "{{customer.email}}",
              "first_name": "{{customer.firstName}}",
              "mc_gross": "{{checkout.total}}",
              "mc_currency": "{{checkout.currency}}",
              "item": {{#checkout.items}}{
                "number": "{{productId}}", "name": "{{name}}", "quantity": {{{quantity}}}
              }{{/checkout.items}},
              "newsletter": {{{consent.newsletter}}},
              "abandoned_at": "{{abandonment.abandonedAt}}"
            }
            """;
    /** One field per line; the line breaks are not part of the body. */
    private static final String FORM_TEMPLATE = """
            txn_type={{type}}
            &txn_id={{id}}
            &cart_id={{checkout.id}}
            &payer_email={{customer.email}}
            &last_name={{customer.lastName}}
            &mc_gross={{checkout.total}}
            {{#checkout.items}}
            &item_name={{name}}
            &quantity={{quantity}}
            {{/checkout.items}}
            """;
    /** A quote, a backslash, a newline, a control character and non-ASCII letters. */
    private static final String AWKWARD = "Zoë \"Q\" O\\Brien\nsecond line\u0001 ✓ Grüße";
    /** What a form value must encode: &, =, +, %, a space, a newline and non-ASCII. */
    private static final String FORM_AWKWARD = "Müller & Söhne = 100% +1\nGmbH ✓";

    @RegisterExtension
    static final VendorHub RECEIVER = VendorHub.type(
                    "webhook", "retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}")
            .stubs(receiver ->
                    receiver.stubFor(post(anyUrl()).willReturn(aResponse().withStatus(204))))
            .homeFile("connectors/templates/legacy.json.mustache", JSON_TEMPLATE)
            .homeFile("connectors/templates/legacy.form.mustache", FORM_TEMPLATE)
            .property("HOOK_TOKEN", "tok-from-the-environment")
            .connector("json", "p-json", "")
            .connector("form", "p-form", "format: form")
            .connector("signed", "p-signed", """
                    secret: %s
                    headers: {X-Shop: demo, X-Trace-Origin: cartrelay-test}""".formatted(SECRET))
            .connector("signed-list", "p-signed-list", "secret: [%s]".formatted(SECRET))
            .connector("rotating", "p-rotating", "secret: [%s, %s]".formatted(SECRET, NEXT_SECRET))
            .connector("json-template", "p-json-template", """
                    template: legacy.json.mustache
                    secret: %s""".formatted(SECRET))
            .connector("form-template", "p-form-template", """
                    format: form
                    template: legacy.form.mustache
                    secret: %s""".formatted(SECRET))
            .connector("basic", "p-basic", "auth: {basic: {user: shop, password: pa55:word}}")
            .connector("bearer", "p-bearer", "auth: {bearer: \"${HOOK_TOKEN}\"}")
            .connector("header", "p-header", "auth: {header: {name: X-Api-Key, value: k-123}}")
            .connector("recovered-only", "p-events", "events: [checkout.recovered]")
            .connector("both-events", "p-events", "")
            .connector("filtered", receiver -> """
                    type: webhook
                    endpoint: %s
                    filter: {minTotal: "50.00", products: ["p-filter"], countries: ["US", "CA"]}
                    """.formatted(receiver.url("/filtered")))
            .connector("disabled", "p-disabled", "enabled: false")
            .connector("disabled-twin", "p-disabled", "");

    private final TestHub hub = RECEIVER.hub();
    private final WireMockServer receiver = RECEIVER.vendor();

    private List<LoggedRequest> received(String path) {
        return receiver.findAll(postRequestedFor(urlEqualTo(path)));
    }

    /** The one request to {@code path} whose body mentions {@code cart-<key>}, once it has arrived. */
    private LoggedRequest awaitOne(String path, String key) {
        await().atMost(Duration.ofSeconds(20)).until(() -> of(path, key).size() == 1);
        return of(path, key).get(0);
    }

    private List<LoggedRequest> of(String path, String key) {
        return received(path).stream()
                .filter(r -> r.getBodyAsString().contains("cart-" + key))
                .toList();
    }

    private static JsonNode json(LoggedRequest request) throws Exception {
        return JSON.readTree(request.getBodyAsString());
    }

    /** The Standard Webhooks signature, computed here with javax.crypto alone. */
    private static String signature(String secret, String id, long timestamp, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
    }

    /** Posts {@code checkout.started} for {@code cart-<key>} with the given buyer's last name and item name. */
    private void startWith(
            String key, String productId, String email, String firstName, String lastName, String itemName)
            throws Exception {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("productId", productId);
        item.put("name", itemName);
        item.put("quantity", 2);
        item.put("unitPrice", "24.50");
        Map<String, Object> notice = new LinkedHashMap<>();
        notice.put("type", "checkout.started");
        notice.put("source", "test-shop");
        notice.put("sourceEventId", "start-" + key);
        notice.put(
                "checkout", Map.of("id", "cart-" + key, "currency", "EUR", "total", "49.00", "items", List.of(item)));
        notice.put(
                "customer",
                Map.of(
                        "email",
                        email,
                        "firstName",
                        firstName,
                        "lastName",
                        lastName,
                        "address",
                        Map.of("city", "Berlin", "country", "DE")));
        notice.put("consent", Map.of("newsletter", true));
        HttpResponse<String> response = Notices.post(hub, "start-" + key, JSON.writeValueAsString(notice));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private ConnectorDefinition definition(Path file, String yaml) throws IOException {
        Files.writeString(file, yaml);
        return new ConnectorLoader(new MockEnvironment()).load(file);
    }

    /** {@code connectors/ipn.yaml} in {@code home}: a webhook whose body is {@code legacy.json.mustache}. */
    private ConnectorDefinition legacyTemplated(Path home) throws IOException {
        return definition(home.resolve("connectors/ipn.yaml"), """
                type: webhook
                endpoint: http://127.0.0.1:9/in
                template: legacy.json.mustache
                """);
    }

    private ConnectorType<WebhookSettings> type(Path home) {
        return ConnectorType.of(
                "webhook",
                WebhookSettings.class,
                (d, s) -> new WebhookConnector(
                        d,
                        s,
                        hub.clock(),
                        hub.bean(DeliveryHttpClient.class),
                        home.resolve("connectors").resolve("templates")));
    }

    private long deliveries(String connector, String key) {
        return hub.count(
                "select count(*) from delivery d join outbound_event e on e.id = d.event_id "
                        + "where d.connector = ? and e.payload like ?",
                connector,
                "%cart-" + key + "\"%");
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
        assertThat(event.get("checkout").get("items").get(0).get("productId").asText())
                .isEqualTo("p-json");
        assertThat(event.get("customer").get("email").asText()).isEqualTo("json-1@example.com");
        assertThat(event.get("abandonment").get("abandonedAt").asText()).isNotBlank();
        // no secret in the file: unsigned
        assertThat(request.containsHeader("webhook-signature")).isFalse();
        assertThat(request.containsHeader("webhook-timestamp")).isFalse();
        assertThat(request.containsHeader("Authorization")).isFalse();
        // nothing of the hub's internal exchange headers leaks to the receiver
        assertThat(request.getAllHeaderKeys())
                .noneMatch(name -> name.toLowerCase().startsWith("cartrelay")
                        || name.toLowerCase().startsWith("camel"));
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'json' and status = 'delivered'")
                                == 1);
    }

    @Test
    void formatFormPostsFlatFormFieldsInTheDigistore24Vocabulary() {
        Checkouts.start(hub, "form-1", "p-form", "19.90", "AT");

        LoggedRequest request = awaitOne("/form", "form-1");
        assertThat(request.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
        Map<String, String> fields = FormBody.parse(request.getBody()).asMap();
        assertThat(fields)
                .containsEntry("event", "checkout_abandoned")
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
        assertThat(timestamp)
                .isBetween(before.getEpochSecond() - 1, hub.clock().instant().getEpochSecond() + 1);

        // verified here with javax.crypto alone: HMAC-SHA256 over "<id>.<timestamp>.<body>" with the secret's key
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(SECRET.substring("whsec_".length())), "HmacSHA256"));
        byte[] expected =
                mac.doFinal((id + "." + timestamp + "." + request.getBodyAsString()).getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeader("webhook-signature").split(" "))
                .contains("v1," + Base64.getEncoder().encodeToString(expected));

        mac.init(new SecretKeySpec("some other key".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] wrongKey =
                mac.doFinal((id + "." + timestamp + "." + request.getBodyAsString()).getBytes(StandardCharsets.UTF_8));
        assertThat(request.getHeader("webhook-signature"))
                .doesNotContain(Base64.getEncoder().encodeToString(wrongKey));
    }

    @Test
    void oneSecretStaysOneSignature() throws Exception {
        Checkouts.start(hub, "one-secret-1", "p-signed", "49.00", "DE");
        Checkouts.start(hub, "one-listed-1", "p-signed-list", "49.00", "DE");

        // secret: whsec_… and secret: [whsec_…] sign alike: exactly one v1 signature, nothing around it
        for (LoggedRequest request :
                List.of(awaitOne("/signed", "one-secret-1"), awaitOne("/signed-list", "one-listed-1"))) {
            String id = request.getHeader("webhook-id");
            long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
            assertThat(request.getHeader("webhook-signature"))
                    .isEqualTo(signature(SECRET, id, timestamp, request.getBody()));
        }
    }

    @Test
    void twoSecretsSendTwoSignaturesEachVerifyingWithItsOwnSecret() throws Exception {
        Checkouts.start(hub, "rotating-1", "p-rotating", "49.00", "DE");

        LoggedRequest request = awaitOne("/rotating", "rotating-1");
        String id = request.getHeader("webhook-id");
        long timestamp = Long.parseLong(request.getHeader("webhook-timestamp"));
        byte[] body = request.getBody();
        String header = request.getHeader("webhook-signature");
        // one v1 signature per secret, space-separated, in the file's order, each over exactly the bytes received
        assertThat(header).matches("v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+");
        assertThat(header.split(" "))
                .containsExactly(signature(SECRET, id, timestamp, body), signature(NEXT_SECRET, id, timestamp, body));
        // a receiver that knows either secret accepts it, one that knows neither does not
        assertThat(StandardWebhooks.withSecret(SECRET).verify(id, timestamp, body, header))
                .isTrue();
        assertThat(StandardWebhooks.withSecret(NEXT_SECRET).verify(id, timestamp, body, header))
                .isTrue();
        assertThat(StandardWebhooks.withSecret(UNUSED_SECRET).verify(id, timestamp, body, header))
                .isFalse();
        assertThat(json(request).get("checkout").get("id").asText()).isEqualTo("cart-rotating-1");
    }

    @Test
    void theGenericIntakeAcceptsSeveralSignaturesWhenAnyOneMatches() throws Exception {
        String json = Notices.checkoutStarted("intake-rotation-1", "intake-rotation-1@example.com", "49.00");
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        long timestamp = hub.clock().instant().getEpochSecond();
        String other = signature(UNUSED_SECRET, "msg-intake-rotation-1", timestamp, body);
        String right = signature(Fixtures.GENERIC_SECRET, "msg-intake-rotation-1", timestamp, body);
        Map<String, String> headers = new LinkedHashMap<>(Map.of(
                "Content-Type",
                "application/json",
                "webhook-id",
                "msg-intake-rotation-1",
                "webhook-timestamp",
                Long.toString(timestamp)));

        headers.put(
                "webhook-signature", other + " " + signature(NEXT_SECRET, "msg-intake-rotation-1", timestamp, body));
        assertThat(hub.post("/events", json, headers).statusCode()).isEqualTo(401);
        headers.put("webhook-signature", other + " " + right);
        assertThat(hub.post("/events", json, headers).statusCode()).isEqualTo(202);
    }

    @Test
    void aJsonTemplateRendersTheLegacyFieldNamesWithJsonEscapedValues() throws Exception {
        startWith("json-template-1", "p-json-template", "json-template-1@example.com", AWKWARD, "Buyer", AWKWARD);

        LoggedRequest request = awaitOne("/json-template", "json-template-1");
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = json(request);
        assertThat(body.get("txn_type").asText()).isEqualTo("checkout.abandoned");
        assertThat(body.get("notification_id").asText()).startsWith("evt_").isEqualTo(request.getHeader("webhook-id"));
        assertThat(body.get("cart_id").asText()).isEqualTo("cart-json-template-1");
        assertThat(body.get("payer_email").asText()).isEqualTo("json-template-1@example.com");
        assertThat(body.get("first_name").asText()).isEqualTo(AWKWARD);
        assertThat(body.get("mc_gross").isTextual()).isTrue();
        assertThat(body.get("mc_gross").asText()).isEqualTo("49.00");
        assertThat(body.get("mc_currency").asText()).isEqualTo("EUR");
        assertThat(body.get("item").get("number").asText()).isEqualTo("p-json-template");
        assertThat(body.get("item").get("name").asText()).isEqualTo(AWKWARD);
        assertThat(body.get("item").get("quantity").isInt()).isTrue();
        assertThat(body.get("item").get("quantity").asInt()).isEqualTo(2);
        assertThat(body.get("newsletter").asBoolean()).isTrue();
        assertThat(body.get("abandoned_at").asText()).isNotBlank();
        assertThat(body.has("checkout")).isFalse();
        // escaped as JSON, not as HTML; non-ASCII goes as UTF-8
        assertThat(request.getBodyAsString())
                .contains("\"Zoë \\\"Q\\\" O\\\\Brien\\nsecond line\\u0001 ✓ Grüße\"")
                .doesNotContain("&quot;");
        // the rendered body is what is signed
        assertThat(request.getHeader("webhook-signature"))
                .isEqualTo(signature(
                        SECRET,
                        request.getHeader("webhook-id"),
                        Long.parseLong(request.getHeader("webhook-timestamp")),
                        request.getBody()));
    }

    @Test
    void aFormTemplatePercentEncodesItsValues() throws Exception {
        startWith(
                "form-template-1",
                "p-form-template",
                "buyer+form@example.com",
                "Test",
                FORM_AWKWARD,
                "Tea & Biscuits=2+1 für dich");

        LoggedRequest request = awaitOne("/form-template", "form-template-1");
        assertThat(request.getHeader("Content-Type"))
                .isEqualToIgnoringWhitespace("application/x-www-form-urlencoded; charset=UTF-8");
        String body = request.getBodyAsString();
        assertThat(body).doesNotContain("\n").doesNotContain(" ").startsWith("txn_type=checkout.abandoned&txn_id=evt_");
        FormBody form = FormBody.parse(request.getBody());
        // exactly the template's fields: no value's & or = made a field of its own
        assertThat(form.pairs())
                .extracting(Map.Entry::getKey)
                .containsExactly(
                        "txn_type",
                        "txn_id",
                        "cart_id",
                        "payer_email",
                        "last_name",
                        "mc_gross",
                        "item_name",
                        "quantity");
        Map<String, String> fields = form.asMap();
        assertThat(fields)
                .containsEntry("txn_type", "checkout.abandoned")
                .containsEntry("txn_id", request.getHeader("webhook-id"))
                .containsEntry("cart_id", "cart-form-template-1")
                .containsEntry("payer_email", "buyer+form@example.com")
                .containsEntry("last_name", FORM_AWKWARD)
                .containsEntry("mc_gross", "49.00")
                .containsEntry("item_name", "Tea & Biscuits=2+1 für dich")
                .containsEntry("quantity", "2");
        assertThat(body).contains("payer_email=buyer%2Bform%40example.com&");
        assertThat(request.getHeader("webhook-signature"))
                .isEqualTo(signature(
                        SECRET,
                        request.getHeader("webhook-id"),
                        Long.parseLong(request.getHeader("webhook-timestamp")),
                        request.getBody()));
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aTemplateWithASyntaxErrorStopsTheStartNamingTheFileAndTheLine(@TempDir Path home, CapturedOutput output)
            throws IOException {
        Path templates = Files.createDirectories(home.resolve("connectors/templates"));
        Files.writeString(templates.resolve("broken.json.mustache"), """
                {
                  "cart_id": "{{checkout.id}}",
                  "items": [{{#checkout.items}}"{{name}}"]
                }
                """);
        try (TestDatabase other = TestDatabase.create()) {
            Throwable thrown = catchThrowable(() ->
                    TestHub.on(other).home(home).connector("ipn", """
                    type: webhook
                    endpoint: http://127.0.0.1:9/in
                    template: broken.json.mustache
                    """).start().close());

            Throwable cause = thrown;
            while (cause != null && !(cause instanceof ConnectorConfigException)) {
                cause = cause.getCause();
            }
            assertThat(cause).as("a ConnectorConfigException behind %s", thrown).isNotNull();
            String sentence = cause.getMessage();
            assertThat(sentence)
                    .isEqualTo("Connector file " + home.resolve("connectors/ipn.yaml") + ": key 'template' "
                            + "names broken.json.mustache in " + templates
                            + ", which does not compile at line 3: Failed to "
                            + "close 'checkout.items' tag.");
            FailureAnalysis analysis = new ConnectorConfigFailureAnalyzer().analyze(thrown);
            assertThat(analysis.getDescription()).isEqualTo(sentence);
            assertThat(output.getAll()).contains("APPLICATION FAILED TO START").contains(sentence);
        }
    }

    @Test
    void aMissingTemplateFileStopsTheStartNamingTheFile(@TempDir Path home) throws IOException {
        Path templates = Files.createDirectories(home.resolve("connectors/templates"));
        ConnectorDefinition definition = legacyTemplated(home);

        assertThat(catchThrowable(() -> type(home).create(definition)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + home.resolve("connectors/ipn.yaml") + ": key 'template' names "
                        + "legacy.json.mustache, but " + templates.resolve("legacy.json.mustache")
                        + " does not exist.");
    }

    @Test
    void aMissingPartialStopsTheStartNamingTheLineThatIncludesIt(@TempDir Path home) throws IOException {
        Path templates = Files.createDirectories(home.resolve("connectors/templates"));
        Files.writeString(templates.resolve("legacy.json.mustache"), """
                {
                  "cart_id": "{{checkout.id}}",
                  {{> _buyer.json.mustache}}
                }
                """);
        ConnectorDefinition definition = legacyTemplated(home);

        assertThat(catchThrowable(() -> type(home).create(definition)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + home.resolve("connectors/ipn.yaml") + ": key 'template' names "
                        + "legacy.json.mustache in " + templates + ", which does not compile at line 3: it includes "
                        + "_buyer.json.mustache, but " + templates.resolve("_buyer.json.mustache")
                        + " does not exist.");
    }

    @Test
    void secretListsWithoutUsableSecretsAndTemplatesOutsideTheFolderAreRefused(@TempDir Path home) throws IOException {
        Path file = home.resolve("ipn.yaml");
        String start = "type: webhook\nendpoint: http://127.0.0.1:9/in\n";

        assertThat(catchThrowable(() -> definition(file, start + "secret: []\n")))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file + ": key 'secret' ");
        assertThat(catchThrowable(() -> definition(file, start + "secret: [" + SECRET + ", nope]\n")))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file + ": key 'secret");
        assertThat(catchThrowable(() -> definition(file, start + "template: ../../etc/passwd\n")))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file
                        + ": key 'template' is '../../etc/passwd', which does not have the form it needs: ");
        assertThat(catchThrowable(() -> definition(file, start + "template: /etc/passwd\n")))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file
                        + ": key 'template' is '/etc/passwd', which does not have the form it needs: ");
        // base64 the pattern lets through but that decodes to no key: named by its place in the list, not shown
        ConnectorDefinition undecodable = definition(file, start + "secret: [" + SECRET + ", whsec_A]\n");
        assertThat(catchThrowable(() -> type(home).create(undecodable)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + file + ": key 'secret[1]' is not a usable Standard Webhooks secret; "
                        + "expected whsec_ followed by the base64 of a non-empty key.");
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
        assertThat(request.getHeader("Authorization"))
                .isEqualTo("Basic "
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
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-events-1' and status = 'abandoned'")
                        == 1);

        Checkouts.complete(hub, "events-1", "49.00");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> of("/both-events", "events-1").size() == 2);
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
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        List.of("filter-pass", "filter-edge", "filter-cheap", "filter-country", "filter-product")
                                .stream()
                                .allMatch(key -> events(key) == 1));

        awaitOne("/filtered", "filter-pass");
        awaitOne("/filtered", "filter-edge");
        assertThat(deliveries("filtered", "filter-cheap")).isZero();
        assertThat(deliveries("filtered", "filter-country")).isZero();
        assertThat(deliveries("filtered", "filter-product")).isZero();
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = 'filtered' and status = 'delivered'")
                                == 2);
        assertThat(received("/filtered")).hasSize(2);
    }

    @Test
    void aDisabledConnectorSendsNothing() {
        Checkouts.start(hub, "disabled-1", "p-disabled", "49.00", "DE");

        awaitOne("/disabled-twin", "disabled-1");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from delivery where connector = 'disabled-twin' and status = 'delivered'")
                        == 1);
        assertThat(deliveries("disabled", "disabled-1")).isZero();
        assertThat(received("/disabled")).isEmpty();
        assertThat(hub.count("select count(*) from delivery where connector = 'disabled'"))
                .isZero();
    }
}
