package org.cartrelay.privacy.unsubscribe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.putRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.cartrelay.testing.Mails;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.Teardown;
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
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

import jakarta.mail.internet.MimeMessage;

/**
 * One-click unsubscribe and the suppression list through one whole hub with an email connector
 * (GreenMail), a Mailchimp and a Klaviyo connector (WireMock speaking their documented APIs): the link in a received
 * mail, the confirm page that unsubscribes nobody, the one-click POST, the next cart's mail and pushes stored as
 * suppressed, a pending step withheld, Mailchimp and Klaviyo told; tokens that are changed, made up or another
 * buyer's; erasure that keeps the hash; the admin API.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnsubscribeFlowTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLIC_URL = "https://hub.example.test";
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    private GreenMail smtp;
    private WireMockServer vendors;
    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() throws Exception {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        vendors = new WireMockServer(WireMockConfiguration.options().dynamicPort());
        vendors.start();
        vendors.stubFor(put(urlMatching("/3.0/lists/list1/members/[0-9a-f]{32}"))
                .willReturn(aResponse().withStatus(200).withBody("{}")));
        vendors.stubFor(post(urlMatching("/3.0/lists/list1/members/[0-9a-f]{32}/tags"))
                .willReturn(aResponse().withStatus(204)));
        vendors.stubFor(post(urlEqualTo("/api/events")).willReturn(aResponse().withStatus(202)));
        vendors.stubFor(post(urlEqualTo("/api/profile-suppression-bulk-create-jobs"))
                .willReturn(aResponse()
                        .withStatus(202)
                        .withHeader("Content-Type", "application/vnd.api+json")
                        .withBody(
                                "{\"data\": {\"type\": \"profile-suppression-bulk-create-job\", \"id\": \"job1\"}}")));
        Path home = Files.createTempDirectory("cartrelay-unsubscribe-home");
        Path templates = Files.createDirectories(home.resolve("connectors/templates"));
        try (Stream<Path> files = Files.list(Path.of("connectors/templates"))) {
            for (Path file : files.toList()) {
                Files.copy(file, templates.resolve(file.getFileName()));
            }
        }
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .home(home)
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.public-url", PUBLIC_URL + "/")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .connector("followup", """
                        type: email
                        smtp: {host: 127.0.0.1, port: %d, starttls: false}
                        from: "Demo Shop <shop@example.com>"
                        steps:
                          - {after: 0s, template: reminder}
                          - {after: 24h, template: info}
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(smtp.getSmtp().getPort()))
                .connector("newsletter", """
                        type: mailchimp
                        endpoint: http://127.0.0.1:%d
                        apiKey: test-key-us6
                        listId: list1
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(vendors.port()))
                .connector("metrics", """
                        type: klaviyo
                        endpoint: http://127.0.0.1:%d
                        apiKey: pk_test
                        retry: {maxAttempts: 3, initialDelay: 100ms, maxDelay: 1s}
                        """.formatted(vendors.port()))
                .start();
    }

    @AfterAll
    void stopHub() throws Exception {
        Teardown.inOrder(hub, database, smtp::stop, vendors::stop);
    }

    private void start(String key, String cart) {
        HttpResponse<String> response = Notices.post(hub, "start-" + cart, """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "%s", "currency": "USD", "total": "49.00",
                              "items": [{"productId": "p-1", "name": "Tea", "quantity": 1, "unitPrice": "49.00"}]},
                 "customer": {"email": "%s@example.com", "firstName": "Ada", "address": {"country": "US"}},
                 "consent": {"newsletter": true}}
                """.formatted(cart, cart, key));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    private List<MimeMessage> mailsTo(String key) {
        return Mails.to(smtp, key + "@example.com");
    }

    /** The first mail to the buyer, once it arrived, and the path of its one-click link. */
    private String unsubscribePath(String key) throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> !mailsTo(key).isEmpty());
        MimeMessage mail = mailsTo(key).get(0);
        String header = mail.getHeader("List-Unsubscribe")[0];
        assertThat(header)
                .startsWith("<" + PUBLIC_URL + "/unsubscribe/")
                .endsWith(">")
                .doesNotContain(key)
                .doesNotContain("%40")
                .doesNotContain("@");
        assertThat(mail.getHeader("List-Unsubscribe-Post")[0]).isEqualTo("List-Unsubscribe=One-Click");
        return URI.create(header.substring(1, header.length() - 1)).getPath();
    }

    private HttpResponse<String> oneClick(String path) {
        return TestHub.send(HttpRequest.newBuilder(hub.uri(path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")));
    }

    private long listed(String key) {
        return hub.count(
                "select count(*) from suppression where email_hash = ?",
                hub.bean(UnsubscribeKeys.class).hash(key + "@example.com"));
    }

    /** The statuses of the connector's deliveries for the cart, by step, and their reasons. */
    private List<Map<String, Object>> deliveries(String connector, String cart) {
        return hub.jdbc()
                .sql("select d.status, d.last_error from delivery d join outbound_event e on e.id = d.event_id"
                        + " where d.connector = ? and e.type = 'checkout.abandoned' and e.checkout_id in"
                        + " (select id from checkout where checkout_ref = ?) order by d.step")
                .params(connector, cart)
                .query()
                .listOfRows();
    }

    private void advanceWhenNothingIsInFlight(Duration by) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count("select count(*) from delivery where lease_token is not null") == 0);
        hub.clock().advance(by);
    }

    private static String md5(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theLinkInTheMailUnsubscribesTheBuyerFromEveryMailingConnectorAndTellsMailchimpAndKlaviyo() throws Exception {
        start("ada", "cart-ada-1");
        String path = unsubscribePath("ada");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "delivered"
                        .equals(deliveries("newsletter", "cart-ada-1").get(0).get("status")));

        // the page a mail scanner would open unsubscribes nobody
        HttpResponse<String> page = hub.get(path);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("<form method=\"post\">")
                .contains("name=\"List-Unsubscribe\" value=\"One-Click\"")
                .doesNotContain("ada@");
        assertThat(page.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        assertThat(listed("ada")).isZero();

        HttpResponse<String> done = oneClick(path);
        assertThat(done.statusCode()).as(done.body()).isEqualTo(200);
        assertThat(hub.jdbc()
                        .sql("select email, source from suppression where email_hash = ?")
                        .param(hub.bean(UnsubscribeKeys.class).hash("ada@example.com"))
                        .query()
                        .singleRow())
                .containsEntry("email", "ada@example.com")
                .containsEntry("source", "link");
        // a second click is answered the same and changes nothing
        assertThat(oneClick(path).statusCode()).isEqualTo(200);
        assertThat(listed("ada")).isEqualTo(1);

        // Mailchimp: the member's status becomes unsubscribed; Klaviyo: the profile is suppressed
        String member = "/3.0/lists/list1/members/" + md5("ada@example.com");
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(
                        () -> vendors.verify(putRequestedFor(urlEqualTo(member)).withRequestBody(equalToJson("""
                        {"email_address": "ada@example.com", "status": "unsubscribed", "status_if_new": "unsubscribed"}
                        """))));
        await().atMost(Duration.ofSeconds(20))
                .untilAsserted(() -> vendors.verify(postRequestedFor(
                                urlEqualTo("/api/profile-suppression-bulk-create-jobs"))
                        .withHeader(
                                "Authorization",
                                com.github.tomakehurst.wiremock.client.WireMock.equalTo("Klaviyo-API-Key pk_test"))
                        .withRequestBody(equalToJson("""
                                {"data": {"type": "profile-suppression-bulk-create-job", "attributes": {"profiles":
                                  {"data": [{"type": "profile", "attributes": {"email": "ada@example.com"}}]}}}}
                                """))));
        await().atMost(Duration.ofSeconds(20)).until(() -> hub.count("""
                select count(*) from delivery d join outbound_event e on e.id = d.event_id
                where e.type = 'buyer.unsubscribed' and d.status = 'delivered'""") == 2);

        // the step written before the unsubscription is withheld when it comes due
        advanceWhenNothingIsInFlight(Duration.ofHours(25));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> "suppressed"
                        .equals(deliveries("followup", "cart-ada-1").get(1).get("status")));
        assertThat((String) deliveries("followup", "cart-ada-1").get(1).get("last_error"))
                .matches("The buyer unsubscribed on \\d{4}-\\d\\d-\\d\\d \\(link\\)\\.");

        // the next cart: no mail, no push, each recorded as suppressed with the reason
        start("ada", "cart-ada-2");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries("followup", "cart-ada-2").size() == 1
                        && deliveries("newsletter", "cart-ada-2").size() == 1
                        && deliveries("metrics", "cart-ada-2").size() == 1);
        for (String connector : List.of("followup", "newsletter", "metrics")) {
            Map<String, Object> delivery = deliveries(connector, "cart-ada-2").get(0);
            assertThat(delivery.get("status")).as(connector).isEqualTo("suppressed");
            assertThat((String) delivery.get("last_error"))
                    .as(connector)
                    .startsWith("The buyer unsubscribed on ")
                    .endsWith(" (link).");
        }
        assertThat(mailsTo("ada")).hasSize(1);
    }

    @Test
    void aChangedMadeUpOrForeignTokenUnsubscribesNobodyAndSaysNothing() throws Exception {
        start("bea", "cart-bea-1");
        start("cid", "cart-cid-1");
        String bea = unsubscribePath("bea");
        String cid = unsubscribePath("cid");
        assertThat(bea).isNotEqualTo(cid);
        String token = bea.substring("/unsubscribe/".length());
        int dot = token.indexOf('.');

        // one character changed, in the sealed part and in the signature: signed by nobody
        for (int at : List.of(5, dot + 5)) {
            char[] chars = token.toCharArray();
            chars[at] = chars[at] == 'A' ? 'B' : 'A';
            HttpResponse<String> tampered = oneClick("/unsubscribe/" + new String(chars));
            assertThat(tampered.statusCode()).as(tampered.body()).isEqualTo(404);
            assertThat(hub.get("/unsubscribe/" + new String(chars)).statusCode())
                    .isEqualTo(404);
        }
        // cid's sealed part with bea's signature
        String foreign =
                cid.substring("/unsubscribe/".length()).substring(0, cid.indexOf('.') - "/unsubscribe/".length())
                        + token.substring(dot);
        assertThat(oneClick("/unsubscribe/" + foreign).statusCode()).isEqualTo(404);
        // not a token at all
        for (String malformed : List.of("nothing", "a.b.c", "%%%.%%%", token.substring(0, dot + 3))) {
            HttpResponse<String> answer =
                    oneClick("/unsubscribe/" + URLEncoder.encode(malformed, StandardCharsets.UTF_8));
            assertThat(answer.statusCode()).as(malformed).isEqualTo(400);
            assertThat(answer.body()).doesNotContain("bea").doesNotContain("cid");
        }
        // a POST without the one-click field is not an unsubscription
        HttpResponse<String> bare =
                TestHub.send(HttpRequest.newBuilder(hub.uri(bea)).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(bare.statusCode()).isEqualTo(400);
        assertThat(listed("bea")).isZero();
        assertThat(listed("cid")).isZero();

        // bea's own token unsubscribes bea, and only bea
        assertThat(oneClick(bea).statusCode()).isEqualTo(200);
        assertThat(listed("bea")).isEqualTo(1);
        assertThat(listed("cid")).isZero();
        start("cid", "cart-cid-2");
        await().atMost(Duration.ofSeconds(20)).until(() -> mailsTo("cid").size() == 2);
        assertThat(deliveries("followup", "cart-cid-2").get(0).get("status")).isEqualTo("delivered");
    }

    @Test
    void anErasedBuyerWhoUnsubscribedStaysUnsubscribedByTheHashAlone() throws Exception {
        start("dan", "cart-dan-1");
        assertThat(oneClick(unsubscribePath("dan")).statusCode()).isEqualTo(200);

        HttpResponse<String> erased =
                TestHub.send(HttpRequest.newBuilder(hub.uri("/api/customers?email=Dan%40Example.com"))
                        .header("Authorization", AUTH)
                        .DELETE());
        assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
        assertThat(hub.count("select count(*) from suppression where lower(email) = 'dan@example.com'"))
                .isZero();
        assertThat(listed("dan")).isEqualTo(1);
        assertThat(hub.count("select count(*) from checkout where lower(email) = 'dan@example.com'"))
                .isZero();

        start("dan", "cart-dan-2");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> deliveries("followup", "cart-dan-2").size() == 1);
        assertThat(deliveries("followup", "cart-dan-2").get(0).get("status")).isEqualTo("suppressed");
        assertThat(mailsTo("dan")).hasSize(1);
        JsonNode shown = JSON.readTree(
                api("GET", "/api/suppressions?email=dan@example.com", null).body());
        assertThat(shown.path("items").get(0).path("erased").asBoolean()).isTrue();
        assertThat(shown.path("items").get(0).path("email").isNull()).isTrue();
    }

    private HttpResponse<String> api(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(hub.uri(path))
                .header("Authorization", AUTH)
                .header("Content-Type", "application/json")
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return TestHub.send(request);
    }

    @Test
    void theAdminApiListsAddsAndRemovesWithCredentialsOnly() throws Exception {
        assertThat(TestHub.send(HttpRequest.newBuilder(hub.uri("/api/suppressions"))
                                .GET())
                        .statusCode())
                .isEqualTo(401);
        assertThat(TestHub.send(HttpRequest.newBuilder(hub.uri("/api/suppressions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"email\": \"eve@example.com\"}")))
                        .statusCode())
                .as("an anonymous POST is asked to sign in, as every API call is")
                .isEqualTo(401);
        assertThat(listed("eve")).isZero();

        HttpResponse<String> added =
                api("POST", "/api/suppressions", "{\"email\": \"Eve@Example.com\", \"reason\": \"asked by phone\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(201);
        assertThat(JSON.readTree(added.body()).path("source").asText()).isEqualTo("api");
        assertThat(api("POST", "/api/suppressions", "{\"email\": \"eve@example.com\"}")
                        .statusCode())
                .isEqualTo(200);
        assertThat(listed("eve")).isEqualTo(1);

        JsonNode page =
                JSON.readTree(api("GET", "/api/suppressions?limit=500", null).body());
        assertThat(page.path("total").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(page.path("items").toString()).contains("e***@example.com").doesNotContain("eve@example.com");
        JsonNode eve = JSON.readTree(
                api("GET", "/api/suppressions?email=eve@example.com", null).body());
        assertThat(eve.path("items").get(0).path("reason").asText()).isEqualTo("asked by phone");
        assertThat(JSON.readTree(api("GET", "/api/suppressions?from=2999-01-01", null)
                                .body())
                        .path("total")
                        .asLong())
                .isZero();

        // every bad input is a 400 problem that names what is wrong
        Map<String, String> bad = Map.of(
                "{\"email\": \"not-an-address\"}", "'email'",
                "{\"reason\": \"x\"}", "'email'",
                "[1, 2]", "JSON object",
                "{\"email\": ", "not JSON",
                "{\"email\": \"x@example.com\", \"mail\": 1}", "mail",
                "{\"email\": \"x@example.com\", \"reason\": 7}", "'reason'");
        for (Map.Entry<String, String> body : bad.entrySet()) {
            HttpResponse<String> refused = api("POST", "/api/suppressions", body.getKey());
            assertThat(refused.statusCode()).as(body.getKey()).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
            assertThat(JSON.readTree(refused.body()).path("detail").asText())
                    .as(body.getKey())
                    .contains(body.getValue());
        }
        for (String query : List.of("limit=0", "limit=x", "offset=-1", "from=yesterday", "email=nobody")) {
            HttpResponse<String> refused = api("GET", "/api/suppressions?" + query, null);
            assertThat(refused.statusCode()).as(query).isEqualTo(400);
            assertThat(refused.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        }
        assertThat(api("DELETE", "/api/suppressions", null).statusCode()).isEqualTo(400);

        assertThat(api("DELETE", "/api/suppressions?email=eve@example.com", null)
                        .statusCode())
                .isEqualTo(204);
        assertThat(listed("eve")).isZero();
        HttpResponse<String> gone = api("DELETE", "/api/suppressions?email=eve@example.com", null);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
    }
}
