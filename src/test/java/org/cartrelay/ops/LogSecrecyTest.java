package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.put;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.cartrelay.support.StandardWebhooks;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;

/**
 * Logs never hold a secret or a buyer's contact data in the clear, with {@code org.cartrelay} at DEBUG and Spring
 * Security and Camel at INFO: a whole flow, every source's signed fixture through every connector type against real
 * peers (WireMock, GreenMail, an embedded KRaft broker, a second database, a Camel route), a target that refuses for
 * good and the replay of its dead letters, forged notices, refused sign-ins and an erasure; and hubs that fail to
 * start on bad connector files that hold secrets. The whole captured output (console log, stack traces included) is
 * searched for every configured secret, the credentials as they went over the wire, and each fixture buyer's email
 * and phone in the forms they were sent in.
 */
@ExtendWith(OutputCaptureExtension.class)
class LogSecrecyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String ADMIN_PASSWORD = "adm1n-L0g-Secrecy-pw";
    private static final String WRONG_ADMIN_PASSWORD = "adm1n-L0g-Secrecy-typo";
    private static final String WEBHOOK_SECRET =
            "whsec_" + Base64.getEncoder().encodeToString("log-test-webhook-secret-1".getBytes(StandardCharsets.UTF_8));
    private static final String HUBSPOT_TOKEN = "pat-na1-logtest-4f1e9a";
    private static final String MAILCHIMP_KEY = "0f1e2d3c4b5a69788796a5b4c3d2e1f0-us6";
    private static final String KLAVIYO_KEY = "pk_logtest_8c2d4e6f";
    private static final String FRESHDESK_KEY = "fd-logtest-key-7b3a";
    private static final String ZENDESK_TOKEN = "zd-logtest-token-5e9c";
    private static final String SMTP_PASSWORD = "smtp-logtest-pa55";
    private static final String SQL_PASSWORD = "sql-logtest-pa55";
    private static final String WOO_TOKEN = "woo-logtest-token-3d7f";
    /** A sender's wrong token may be a near miss of the right one. */
    private static final String WRONG_WOO_TOKEN = "woo-logtest-token-3d7e";

    private static final String TOPIC = "log-test-events";

    /** The fixtures' buyers. */
    private static final List<String> EMAILS =
            List.of("jane.doe@example.com", "sam.lee@example.org", "li.wei@example.net", "ana.silva@example.com");

    private static final List<String> PHONES = List.of("+1 512 555 0134", "+1 415 555 0199");

    private static final List<String> CONNECTORS = List.of(
            "crm", "hubspot", "mailchimp", "klaviyo", "freshdesk", "zendesk", "followup", "stream", "carts", "route");

    @Test
    void aWholeFlowLogsNoSecretAndNoBuyersContactData(CapturedOutput output) throws Exception {
        WireMockServer vendors =
                new WireMockServer(WireMockConfiguration.options().dynamicPort());
        vendors.start();
        GreenMail smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort())
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("shop", SMTP_PASSWORD));
        smtp.start();
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);
        broker.afterPropertiesSet();
        String sqlUrl = "jdbc:h2:mem:log-secrecy-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        Set<String> wire = new LinkedHashSet<>();
        try (Connection carts = DriverManager.getConnection(sqlUrl, "sa", SQL_PASSWORD);
                TestDatabase database = TestDatabase.create()) {
            carts.createStatement()
                    .execute(
                            "create table carts (checkout_id varchar(100) primary key, email varchar(320), last_event varchar(40))");
            // too narrow for a phone number: the database refuses it quoting the value
            carts.createStatement().execute("create table narrow (checkout_id varchar(100), phone varchar(4))");
            stubVendors(vendors);
            Path home = Files.createTempDirectory("cartrelay-log-secrecy");
            Path routed = Files.createDirectories(home.resolve("routed"));
            copyTemplates(home.resolve("connectors/templates"));
            Files.createDirectories(home.resolve("routes"));
            Files.writeString(home.resolve("routes/log-test-crm.yaml"), """
                    - route:
                        id: log-test-crm
                        from:
                          uri: direct:log-test-crm
                          steps:
                            - to:
                                uri: "file:%s"
                    """.formatted(
                            routed.toString().replace('\\', '/')));
            try (TestHub hub = hub(
                            database,
                            home,
                            vendors.port(),
                            smtp.getSmtp().getPort(),
                            broker.getBrokersAsString(),
                            sqlUrl)
                    .start()) {
                postFixtures(hub);

                // every connector got the four abandoned carts; the refusing target's are dead letters
                await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                    for (String connector : CONNECTORS) {
                        assertThat(delivered(hub, connector)).as(connector).isEqualTo(4);
                    }
                    assertThat(hub.count(
                                    "select count(*) from delivery where connector = 'doomed' and status = 'dead'"))
                            .isEqualTo(4);
                    // the two buyers with a phone are refused, the two without are written
                    assertThat(delivered(hub, "narrow")).isEqualTo(2);
                    assertThat(hub.count(
                                    "select count(*) from delivery where connector = 'narrow' and status = 'dead'"))
                            .isEqualTo(2);
                });
                assertThat(smtp.getReceivedMessages()).hasSize(4);
                assertThat(Files.list(routed).count()).isEqualTo(4);
                try (ResultSet rows = carts.createStatement().executeQuery("select count(*) from carts")) {
                    rows.next();
                    assertThat(rows.getInt(1)).isEqualTo(4);
                }
                try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                        Map.of(
                                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                                ConsumerConfig.GROUP_ID_CONFIG, "log-secrecy-test",
                                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                        new StringDeserializer(),
                        new StringDeserializer())) {
                    consumer.subscribe(List.of(TOPIC));
                    List<String> keys = new ArrayList<>();
                    await().atMost(Duration.ofSeconds(20)).until(() -> {
                        consumer.poll(Duration.ofMillis(200)).forEach(record -> keys.add(record.key()));
                        return keys.size() == 4;
                    });
                }

                // the target is fixed: replay its dead letters through the API
                vendors.stubFor(post(urlEqualTo("/doomed"))
                        .atPriority(1)
                        .willReturn(aResponse().withStatus(204)));
                HttpResponse<String> deadLetters =
                        admin(hub, "GET", "/api/dead-letters?connector=doomed", ADMIN_PASSWORD);
                assertThat(JSON.readTree(deadLetters.body())).hasSize(4);
                HttpResponse<String> replay =
                        admin(hub, "POST", "/api/dead-letters/replay?connector=doomed", ADMIN_PASSWORD);
                assertThat(replay.statusCode()).as(replay.body()).isEqualTo(200);
                assertThat(JSON.readTree(replay.body()).get("replayed")).hasSize(4);
                await().atMost(Duration.ofSeconds(20)).until(() -> delivered(hub, "doomed") == 4);

                // refused sign-ins, and an erasure
                assertThat(admin(hub, "GET", "/api/carts", WRONG_ADMIN_PASSWORD).statusCode())
                        .isEqualTo(401);
                assertThat(hub.postForm("/admin/login", "username=admin&password=" + WRONG_ADMIN_PASSWORD)
                                .statusCode())
                        .isEqualTo(403);
                HttpResponse<String> erased = admin(
                        hub,
                        "DELETE",
                        "/api/customers?email=" + URLEncoder.encode("li.wei@example.net", StandardCharsets.UTF_8),
                        ADMIN_PASSWORD);
                assertThat(erased.statusCode()).as(erased.body()).isEqualTo(200);
            }
            for (LoggedRequest request : vendors.findAll(anyRequestedFor(anyUrl()))) {
                request.getHeaders().all().stream()
                        .filter(header -> header.key().equalsIgnoreCase("Authorization")
                                || header.key().equalsIgnoreCase("X-Api-Key")
                                || header.key().equalsIgnoreCase("Klaviyo-API-Key"))
                        .forEach(header -> header.values().forEach(value -> {
                            wire.add(value);
                            wire.add(value.substring(value.indexOf(' ') + 1));
                        }));
            }
        } finally {
            broker.destroy();
            smtp.stop();
            vendors.stop();
        }
        assertThat(wire).as("credentials the vendors received").isNotEmpty();
        // the test's own SMTP server runs in this JVM and logs each mailbox it creates: its lines are not the hub's
        String log = output.getAll()
                .lines()
                .filter(line -> !line.contains("c.icegreen.greenmail") && !line.contains("com.icegreen.greenmail"))
                .collect(Collectors.joining("\n"));
        // the flow was logged at DEBUG, so the search has something to search
        assertThat(log).contains(" DEBUG ", "abandoned", "Follow-up mail");
        assertNoSecret(log, wire);
        assertNoBuyerData(log);
    }

    @Test
    void aHubThatFailsToStartOnABadConnectorFileLogsNoSecretOfIt(CapturedOutput output) {
        Map<String, String> badFiles = new LinkedHashMap<>();
        // a value the schema refuses, next to a secret
        badFiles.put("bad-timeout", """
                type: freshdesk
                endpoint: http://127.0.0.1:9/desk
                apiKey: %s
                timeout: whenever
                """.formatted(FRESHDESK_KEY));
        // the secret itself is refused (not a whsec_ key)
        badFiles.put("bad-secret", """
                type: webhook
                endpoint: http://127.0.0.1:9/hook
                secret: %s
                """.formatted(HUBSPOT_TOKEN));
        // a YAML syntax error on the secret's own line
        badFiles.put("bad-yaml", """
                type: mailchimp
                apiKey: "%s
                listId: a1b2c3d4e5
                """.formatted(MAILCHIMP_KEY));
        // an unknown key, with credentials inline
        badFiles.put("bad-key", """
                type: zendesk
                endpoint: http://127.0.0.1:9/zd
                auth: {basic: {user: agent@example.com/token, password: %s}}
                colour: blue
                """.formatted(ZENDESK_TOKEN));
        List<String> messages = new ArrayList<>();
        for (Map.Entry<String, String> bad : badFiles.entrySet()) {
            try (TestDatabase database = TestDatabase.create()) {
                Throwable failed = catchThrowable(() -> TestHub.on(database)
                        .property("cartrelay.admin.password", ADMIN_PASSWORD)
                        .property("logging.level.org.cartrelay", "DEBUG")
                        .connector(bad.getKey(), bad.getValue())
                        .start()
                        .close());
                assertThat(failed)
                        .as(bad.getKey() + " should keep the hub from starting")
                        .isNotNull();
                for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
                    messages.add(String.valueOf(cause.getMessage()));
                }
            }
        }
        String log = output.getAll();
        assertThat(log).contains("bad-timeout", "bad-secret", "bad-yaml", "bad-key");
        assertNoSecret(log, Set.of());
        assertNoSecret(String.join("\n", messages), Set.of());
    }

    @Test
    void aGeneratedAdminPasswordIsInNoLogLine(CapturedOutput output) throws Exception {
        Path home = Files.createTempDirectory("cartrelay-log-secrecy");
        String password;
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .home(home)
                        .property("logging.level.org.cartrelay", "DEBUG")
                        .property("logging.level.org.springframework.security", "INFO")
                        .start()) {
            password = Files.readString(home.resolve("data/admin-password")).strip();
            assertThat(admin(hub, "GET", "/api/carts", password).statusCode()).isEqualTo(200);
            assertThat(admin(hub, "GET", "/api/carts", password + "x").statusCode())
                    .isEqualTo(401);
        }
        assertThat(output.getAll())
                .contains("admin-password")
                .doesNotContain(password)
                .doesNotContain(base64("admin:" + password))
                .doesNotContain(base64("admin:" + password + "x"));
    }

    private static TestHub.Builder hub(
            TestDatabase database, Path home, int vendors, int smtp, String brokers, String sqlUrl) {
        return TestHub.on(database)
                .home(home)
                .property("logging.level.org.cartrelay", "DEBUG")
                .property("logging.level.org.springframework.security", "INFO")
                .property("logging.level.org.apache.camel", "INFO")
                .property("cartrelay.admin.password", ADMIN_PASSWORD)
                .property("cartrelay.sources.woocommerce.token", WOO_TOKEN)
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.policy.eu-buyers", "include")
                .property("cartrelay.recovery.link-template", "https://shop.example.com/resume?email={email}")
                .property("WEBHOOK_SECRET", WEBHOOK_SECRET)
                .property("HUBSPOT_TOKEN", HUBSPOT_TOKEN)
                .property("MAILCHIMP_API_KEY", MAILCHIMP_KEY)
                .property("KLAVIYO_API_KEY", KLAVIYO_KEY)
                .property("FRESHDESK_API_KEY", FRESHDESK_KEY)
                .property("ZENDESK_TOKEN", ZENDESK_TOKEN)
                .property("SMTP_PASSWORD", SMTP_PASSWORD)
                .property("SQL_URL", sqlUrl)
                .property("SQL_PASSWORD", SQL_PASSWORD)
                .property("KAFKA_BROKERS", brokers)
                .connector("crm", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/crm
                        secret: "${WEBHOOK_SECRET}"
                        """.formatted(vendors))
                .connector("doomed", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/doomed
                        auth: {bearer: "${HUBSPOT_TOKEN}"}
                        """.formatted(vendors))
                .connector("hubspot", """
                        type: hubspot
                        endpoint: http://127.0.0.1:%d/hubspot
                        auth: {bearer: "${HUBSPOT_TOKEN}"}
                        """.formatted(vendors))
                .connector("mailchimp", """
                        type: mailchimp
                        endpoint: http://127.0.0.1:%d/mailchimp
                        apiKey: ${MAILCHIMP_API_KEY}
                        listId: a1b2c3d4e5
                        requireConsent: false
                        """.formatted(vendors))
                .connector("klaviyo", """
                        type: klaviyo
                        endpoint: http://127.0.0.1:%d/klaviyo
                        apiKey: ${KLAVIYO_API_KEY}
                        requireConsent: false
                        """.formatted(vendors))
                .connector("freshdesk", """
                        type: freshdesk
                        endpoint: http://127.0.0.1:%d/freshdesk
                        apiKey: ${FRESHDESK_API_KEY}
                        """.formatted(vendors))
                .connector("zendesk", """
                        type: zendesk
                        endpoint: http://127.0.0.1:%d/zendesk
                        auth: {basic: {user: agent@example.com/token, password: "${ZENDESK_TOKEN}"}}
                        """.formatted(vendors))
                .connector("followup", """
                        type: email
                        smtp: {host: 127.0.0.1, port: %d, username: shop, password: "${SMTP_PASSWORD}", starttls: false}
                        from: "Demo Shop <shop@example.com>"
                        requireConsent: false
                        steps:
                          - {after: 0s, template: reminder}
                        """.formatted(smtp))
                .connector("stream", """
                        type: kafka
                        brokers: ${KAFKA_BROKERS}
                        topic: %s
                        """.formatted(TOPIC))
                .connector("carts", """
                        type: sql
                        table: carts
                        datasource: {url: "${SQL_URL}", username: sa, password: "${SQL_PASSWORD}"}
                        columns: {checkout_id: checkout.id, email: customer.email, last_event: type}
                        """)
                .connector("narrow", """
                        type: sql
                        table: narrow
                        datasource: {url: "${SQL_URL}", username: sa, password: "${SQL_PASSWORD}"}
                        columns: {checkout_id: checkout.id, phone: customer.phone}
                        retry: {maxAttempts: 2, initialDelay: 100ms, maxDelay: 200ms, jitter: 0}
                        """)
                .connector("route", """
                        type: route
                        uri: direct:log-test-crm
                        """);
    }

    private static void stubVendors(WireMockServer vendors) {
        vendors.stubFor(post(urlEqualTo("/crm")).willReturn(aResponse().withStatus(204)));
        // refuses for good, naming the buyer as some receivers do
        vendors.stubFor(post(urlEqualTo("/doomed"))
                .atPriority(5)
                .willReturn(aResponse()
                        .withStatus(400)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"error\": \"unknown contact jane.doe@example.com, phone +1 512 555 0134\"}")));
        vendors.stubFor(post(urlMatching("/hubspot/.*"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"status\":\"COMPLETE\",\"results\":[{\"id\":\"512\",\"properties\":{}}]}")));
        vendors.stubFor(put(urlMatching("/mailchimp/.*"))
                .willReturn(aResponse()
                        .withStatus(200)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":\"member\",\"status\":\"transactional\"}")));
        vendors.stubFor(
                post(urlMatching("/mailchimp/.*")).willReturn(aResponse().withStatus(204)));
        vendors.stubFor(post(urlMatching("/klaviyo/.*")).willReturn(aResponse().withStatus(202)));
        vendors.stubFor(post(urlEqualTo("/freshdesk/api/v2/tickets"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"id\":901,\"status\":2,\"priority\":2}")));
        vendors.stubFor(post(urlEqualTo("/zendesk/api/v2/tickets.json"))
                .willReturn(aResponse()
                        .withStatus(201)
                        .withHeader("Content-Type", "application/json")
                        .withBody("{\"ticket\":{\"id\":9035,\"status\":\"new\"}}")));
    }

    /** The four sources' signed fixtures; the generic one signed anew at the hub's time. Forgeries first. */
    private static void postFixtures(TestHub hub) {
        assertThat(hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/bad-signature.form"))
                        .statusCode())
                .isEqualTo(403);
        assertThat(hub.postForm(
                                "/webhooks/woocommerce?token=" + WRONG_WOO_TOKEN,
                                Fixtures.form("woocommerce/abandoned.form"))
                        .statusCode())
                .isBetween(400, 499);
        assertThat(hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"))
                        .body())
                .isEqualTo("OK");
        HttpResponse<String> shopify = hub.post(
                "/webhooks/shopify",
                Fixtures.text("shopify/checkouts-create.json"),
                Fixtures.headers("shopify/checkouts-create.headers"));
        assertThat(shopify.statusCode()).as(shopify.body()).isBetween(200, 299);
        HttpResponse<String> woo =
                hub.postForm("/webhooks/woocommerce?token=" + WOO_TOKEN, Fixtures.form("woocommerce/abandoned.form"));
        assertThat(woo.statusCode()).as(woo.body()).isBetween(200, 299);
        String generic = Fixtures.text("generic/checkout-started.json");
        Map<String, String> headers = new LinkedHashMap<>(Fixtures.headers("generic/checkout-started.headers"));
        long now = hub.clock().instant().getEpochSecond();
        headers.put("webhook-timestamp", Long.toString(now));
        headers.put(
                "webhook-signature",
                StandardWebhooks.withSecret(Fixtures.GENERIC_SECRET)
                        .sign(headers.get("webhook-id"), now, generic.getBytes(StandardCharsets.UTF_8)));
        HttpResponse<String> event = hub.post("/events", generic, headers);
        assertThat(event.statusCode()).as(event.body()).isBetween(200, 299);
    }

    private static long delivered(TestHub hub, String connector) {
        return hub.count("select count(*) from delivery where connector = ? and status = 'delivered'", connector);
    }

    private static HttpResponse<String> admin(TestHub hub, String method, String path, String password) {
        return TestHub.send(HttpRequest.newBuilder(hub.uri(path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + base64("admin:" + password)));
    }

    private static String base64(String value) {
        return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
    }

    private static void copyTemplates(Path target) throws Exception {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(Path.of("connectors/templates"))) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
    }

    /** Every configured secret, in the forms it is written or sent in, and what went over the wire. */
    private static void assertNoSecret(String log, Set<String> wire) {
        Set<String> secrets = new LinkedHashSet<>(List.of(
                ADMIN_PASSWORD,
                WRONG_ADMIN_PASSWORD,
                base64("admin:" + ADMIN_PASSWORD),
                base64("admin:" + WRONG_ADMIN_PASSWORD),
                WEBHOOK_SECRET,
                WEBHOOK_SECRET.substring("whsec_".length()),
                HUBSPOT_TOKEN,
                MAILCHIMP_KEY,
                MAILCHIMP_KEY.split("-")[0],
                KLAVIYO_KEY,
                FRESHDESK_KEY,
                ZENDESK_TOKEN,
                SMTP_PASSWORD,
                base64("\0shop\0" + SMTP_PASSWORD),
                base64(SMTP_PASSWORD),
                SQL_PASSWORD,
                WOO_TOKEN,
                WRONG_WOO_TOKEN,
                Fixtures.DIGISTORE24_PASSPHRASE,
                Fixtures.SHOPIFY_SECRET,
                Fixtures.GENERIC_SECRET,
                Fixtures.GENERIC_SECRET.substring("whsec_".length())));
        secrets.addAll(wire);
        for (String secret : secrets) {
            assertThat(log).as("the log holds a secret").doesNotContain(secret);
        }
    }

    /** Each buyer's email (as given, lower-cased, URL-encoded) and phone (as sent, digits only, form-encoded). */
    private static void assertNoBuyerData(String log) {
        String lower = log.toLowerCase(Locale.ROOT);
        for (String email : EMAILS) {
            for (String form :
                    List.of(email, email.replace("@", "%40"), URLEncoder.encode(email, StandardCharsets.UTF_8))) {
                assertThat(lower).as("the log holds a buyer's email").doesNotContain(form.toLowerCase(Locale.ROOT));
            }
        }
        for (String phone : PHONES) {
            String digits = phone.replaceAll("\\D", "");
            for (String form : List.of(
                    phone,
                    "+" + digits,
                    digits.substring(1),
                    phone.substring(3),
                    URLEncoder.encode(phone, StandardCharsets.UTF_8))) {
                assertThat(log).as("the log holds a buyer's phone").doesNotContain(form);
            }
        }
    }
}
