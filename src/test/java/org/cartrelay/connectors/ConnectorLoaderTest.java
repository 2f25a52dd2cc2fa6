package org.cartrelay.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.cartrelay.connectors.email.EmailSettings;
import org.cartrelay.connectors.hubspot.HubSpotSettings;
import org.cartrelay.connectors.klaviyo.KlaviyoSettings;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Connector files: a valid file gets the schema's defaults, and every kind of bad file stops the
 * loader with one sentence naming the file, the key and what was expected; a hub with such a file does not start
 * and Spring Boot's failure report is that sentence.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConnectorLoaderTest {

    @TempDir
    Path folder;

    private final MockEnvironment environment =
            new MockEnvironment().withProperty("HOOK_TOKEN", "s3cr3t").withProperty("HOOK_HOST", "hooks.example.com");

    private Path write(String name, String yaml) throws IOException {
        return Files.writeString(folder.resolve(name), yaml);
    }

    private ConnectorDefinition load(String name, String yaml) throws IOException {
        return new ConnectorLoader(environment).load(write(name, yaml));
    }

    private String failure(String name, String yaml) throws IOException {
        Path file = write(name, yaml);
        Throwable thrown = catchThrowable(() -> new ConnectorLoader(environment).load(file));
        assertThat(thrown).isInstanceOf(ConnectorConfigException.class);
        String message = thrown.getMessage();
        // one sentence: one line, one full stop at the end, and it names the file
        assertThat(message).doesNotContain("\n").endsWith(".").startsWith("Connector file " + file);
        return message;
    }

    @Test
    void aMinimalWebhookFileLoadsWithTheDocumentedDefaults() throws IOException {
        ConnectorDefinition definition = load("crm-hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                """);

        assertThat(definition.name()).isEqualTo("crm-hook");
        assertThat(definition.type()).isEqualTo("webhook");
        assertThat(definition.file()).isEqualTo(folder.resolve("crm-hook.yaml"));
        assertThat(definition.enabled()).isTrue();
        assertThat(definition.events()).containsExactlyInAnyOrder("checkout.abandoned", "checkout.recovered");
        assertThat(definition.filter()).isEqualTo(ConnectorDefinition.Filter.NONE);
        assertThat(definition.requireConsent()).isFalse();
        assertThat(definition.endpoint()).isEqualTo("https://hooks.example.com/in");
        assertThat(definition.auth()).isEqualTo(ConnectorDefinition.Auth.NONE);
        assertThat(definition.auth().headers()).isEmpty();
        assertThat(definition.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(definition.rateLimit()).isNull();
        assertThat(definition.retry())
                .isEqualTo(new RetryPolicy(12, Duration.ofSeconds(10), 3.0, Duration.ofHours(6), 0.2));
    }

    @Test
    void theDefaultRetryScheduleSpansAboutADayAndNeverWaitsLongerThanMaxDelay() throws IOException {
        RetryPolicy d = load("schedule.yaml", "type: webhook\nendpoint: https://hooks.example.com/in\n")
                .retry();
        RetryPolicy withoutJitter = new RetryPolicy(d.maxAttempts(), d.initialDelay(), d.multiplier(), d.maxDelay(), 0);
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt < d.maxAttempts(); attempt++) {
            total = total.plus(withoutJitter.delayAfter(attempt));
        }
        // 10 s, 30 s, 90 s, … capped at 6 h: 11 waits of about 27 h in all before the 12th and last attempt
        assertThat(withoutJitter.delayAfter(1)).isEqualTo(Duration.ofSeconds(10));
        assertThat(withoutJitter.delayAfter(2)).isEqualTo(Duration.ofSeconds(30));
        assertThat(withoutJitter.delayAfter(11)).isEqualTo(Duration.ofHours(6));
        assertThat(total).isBetween(Duration.ofHours(20), Duration.ofHours(32));

        for (int attempt = 1; attempt < d.maxAttempts(); attempt++) {
            Duration exact = withoutJitter.delayAfter(attempt);
            for (int i = 0; i < 50; i++) {
                Duration jittered = d.delayAfter(attempt);
                assertThat(jittered).isLessThanOrEqualTo(d.maxDelay());
                assertThat(jittered.toMillis())
                        .isBetween(Math.round(exact.toMillis() * 0.8) - 1, Math.round(exact.toMillis() * 1.2) + 1);
            }
        }
    }

    /** The fewest keys each type needs; everything else comes from the schema's defaults. */
    private static final Map<String, String> MINIMAL = Map.of(
            "webhook", "endpoint: https://hooks.example.com/in",
            "email", "smtp: {host: smtp.example.com}\nfrom: shop@example.com",
            "sql", "table: carts\ncolumns: {id: checkout.id}",
            "kafka", "brokers: localhost:9092\ntopic: carts",
            "route", "uri: direct:my-crm",
            "hubspot", "auth: {bearer: t0ken}",
            "klaviyo", "apiKey: pk_test",
            "mailchimp", "apiKey: 0123456789abcdef-us6\nlistId: abc123",
            "zendesk",
                    "endpoint: https://shop.zendesk.com\nauth: {basic: {user: agent@example.com/token, password: t}}",
            "freshdesk", "endpoint: https://shop.freshdesk.com\napiKey: k3y");

    @Test
    void aFileWithoutTheKeysGetsEveryDefaultOfItsTypesSchema() throws IOException {
        assertThat(MINIMAL.keySet())
                .containsExactlyInAnyOrderElementsOf(ConnectorSchema.fragments().keySet());
        MINIMAL.forEach((type, keys) -> {
            ConnectorDefinition definition = loadUnchecked(type + ".yaml", "type: " + type + "\n" + keys + "\n");
            Map<String, JsonNode> defaults = new TreeMap<>();
            defaults("", ConnectorSchema.properties(type), defaults);
            assertThat(defaults).as("defaults of type %s", type).isNotEmpty();
            defaults.forEach((key, value) -> assertThat(definition.config().at(key))
                    .as("%s of a minimal %s file", key, type)
                    .isEqualTo(value));
        });
    }

    @Test
    void theSchemasDefaultsReachTheDefinitionAndTheTypesSettings() throws IOException {
        ConnectorDefinition hubspot = load(
                "crm.yaml",
                "type: hubspot\nauth: {bearer: t0ken}\n" + "properties: {phone: mobilephone, coupon: cart_coupon}\n");
        assertThat(hubspot.endpoint()).isEqualTo("https://api.hubapi.com");
        assertThat(hubspot.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(hubspot.retry())
                .isEqualTo(new RetryPolicy(12, Duration.ofSeconds(10), 3.0, Duration.ofHours(6), 0.2));
        assertThat(ConnectorLoader.bind(hubspot.file(), hubspot.config(), HubSpotSettings.class)
                        .properties())
                .isEqualTo(Map.of(
                        "firstName",
                        "firstname",
                        "lastName",
                        "lastname",
                        "phone",
                        "mobilephone",
                        "products",
                        "abandoned_cart_products",
                        "value",
                        "abandoned_cart_value",
                        "currency",
                        "abandoned_cart_currency",
                        "resumeUrl",
                        "abandoned_cart_url",
                        "status",
                        "abandoned_cart_status",
                        "coupon",
                        "cart_coupon"));

        ConnectorDefinition klaviyo = load(
                "klaviyo.yaml",
                "type: klaviyo\napiKey: pk_test\n" + "retry: {maxAttempts: 3}\nmetrics: {recovered: Paid}\n");
        assertThat(klaviyo.requireConsent()).isTrue();
        assertThat(klaviyo.respectUnsubscribe()).isTrue();
        assertThat(klaviyo.retry())
                .isEqualTo(new RetryPolicy(3, Duration.ofSeconds(10), 3.0, Duration.ofHours(6), 0.2));
        assertThat(ConnectorLoader.bind(klaviyo.file(), klaviyo.config(), KlaviyoSettings.class))
                .isEqualTo(new KlaviyoSettings(
                        "pk_test", "2025-04-15", new KlaviyoSettings.Metrics("Checkout Abandoned", "Paid")));

        ConnectorDefinition email =
                load("mail.yaml", "type: email\nsmtp: {host: smtp.example.com}\n" + "from: shop@example.com\n");
        EmailSettings mail = ConnectorLoader.bind(email.file(), email.config(), EmailSettings.class);
        assertThat(email.events()).containsExactly("checkout.abandoned");
        assertThat(mail.smtp()).isEqualTo(new EmailSettings.Smtp("smtp.example.com", 587, null, null, true));
        assertThat(mail.steps()).containsExactly(new EmailSettings.Step(Duration.ZERO, "reminder", null));
    }

    private ConnectorDefinition loadUnchecked(String name, String yaml) {
        try {
            return load(name, yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every default under a schema's properties, by JSON pointer, with {@code $ref}s to the $defs followed. */
    private static void defaults(String pointer, JsonNode properties, Map<String, JsonNode> defaults) {
        properties.fields().forEachRemaining(key -> {
            JsonNode property = ConnectorSchema.resolve(key.getValue());
            String at = pointer + "/" + key.getKey();
            if (property.has("default")) {
                defaults.put(at, property.get("default"));
            } else if (property.has("properties")) {
                defaults(at, property.get("properties"), defaults);
            }
        });
    }

    @Test
    void everyCommonKeyIsReadAndEnvironmentReferencesAreResolved() throws IOException {
        ConnectorDefinition definition = load("full.yml", """
                name: crm
                type: webhook
                enabled: false
                events: [checkout.recovered]
                filter: {minTotal: "20.00", products: ["512345"], countries: ["US", "CA"]}
                requireConsent: true
                endpoint: https://${HOOK_HOST}/in
                auth: {bearer: "${HOOK_TOKEN}"}
                timeout: 1500ms
                retry: {maxAttempts: 10, initialDelay: 5s, multiplier: 2, maxDelay: 1h, jitter: 0}
                rateLimit: 10/s
                format: form
                secret: whsec_dGVzdA==
                headers: {X-Shop: demo}
                """);

        assertThat(definition.name()).isEqualTo("crm");
        assertThat(definition.enabled()).isFalse();
        assertThat(definition.events()).containsExactly("checkout.recovered");
        assertThat(definition.filter())
                .isEqualTo(
                        new ConnectorDefinition.Filter(new BigDecimal("20.00"), Set.of("512345"), Set.of("US", "CA")));
        assertThat(definition.requireConsent()).isTrue();
        assertThat(definition.endpoint()).isEqualTo("https://hooks.example.com/in");
        assertThat(definition.auth().headers()).isEqualTo(Map.of("Authorization", "Bearer s3cr3t"));
        assertThat(definition.timeout()).isEqualTo(Duration.ofMillis(1500));
        assertThat(definition.retry())
                .isEqualTo(new RetryPolicy(10, Duration.ofSeconds(5), 2.0, Duration.ofHours(1), 0));
        assertThat(definition.rateLimit()).isEqualTo("10/s");
        assertThat(definition.config().get("format").asText()).isEqualTo("form");
        assertThat(definition.config().get("headers").get("X-Shop").asText()).isEqualTo("demo");
    }

    @Test
    void anUnknownTypeNamesTheKeyTheClosestTypeAndTheTypesThatExist() throws IOException {
        String types = String.join(", ", ConnectorSchema.fragments().keySet());
        assertThat(failure("crm.yaml", """
                type: webhok
                endpoint: https://hooks.example.com/in
                """))
                .isEqualTo("Connector file " + folder.resolve("crm.yaml")
                        + ": key 'type' is 'webhok', which is not a connector type (did you mean 'webhook'?); the types "
                        + "are " + types + ".");
        assertThat(failure("crm.yaml", """
                type: salesforce
                endpoint: https://hooks.example.com/in
                """))
                .isEqualTo("Connector file " + folder.resolve("crm.yaml")
                        + ": key 'type' is 'salesforce', which is not a connector type; the types are " + types + ".");
    }

    @Test
    void aMissingEndpointNamesTheMissingKey() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                secret: whsec_dGVzdA==
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'endpoint' is missing; a webhook connector needs it.");
        assertThat(failure("untyped.yaml", """
                endpoint: https://hooks.example.com/in
                """))
                .isEqualTo("Connector file " + folder.resolve("untyped.yaml")
                        + ": key 'type' is missing; every connector file needs it.");
    }

    @Test
    void anUnknownKeyIsNamedAndRefused() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                colour: red
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml") + ": unknown key 'colour'.");
    }

    @Test
    void aFormWebhookWithoutATemplateCannotSendOperationalEventsButAJsonOrTemplatedOneCan() throws IOException {
        assertThat(failure("ops.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                format: form
                events: [checkout.abandoned, hub.delivery.dead-lettered]
                """))
                .isEqualTo("Connector file " + folder.resolve("ops.yaml")
                        + ": key 'events' lists hub.delivery.dead-lettered, but with format form a webhook sends a"
                        + " checkout's fields, which an operational event (hub.*) does not have; use format json, add"
                        + " a template, or list them in another webhook connector.");
        assertThat(load("ops.yaml", """
                        type: webhook
                        endpoint: https://hooks.example.com/in
                        events: [hub.delivery.dead-lettered]
                        """).events()).containsExactly("hub.delivery.dead-lettered");
    }

    @Test
    void aMisspelledKeyIsNamedWithItsPathAndTheKeyMeant() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                retires: 3
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": unknown key 'retires' (did you mean 'retry'?).");
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                retry: {maxAtempts: 3}
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": unknown key 'retry.maxAtempts' (did you mean 'retry.maxAttempts'?).");
        // the keys of the file's type are the candidates, not only the common ones
        assertThat(failure("mail.yaml", """
                type: email
                smtp: {host: smtp.example.com, prot: 25}
                from: shop@example.com
                """))
                .isEqualTo("Connector file " + folder.resolve("mail.yaml")
                        + ": unknown key 'smtp.prot' (did you mean 'smtp.port'?).");
    }

    @Test
    void aTimeoutThatIsNotADurationNamesTheExpectedForm() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                timeout: 10 seconds
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'timeout' is '10 seconds', but must be a duration such as 10s, 500ms, 2m "
                        + "(units ms, s, m, h, d).");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheTypeExpected() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                retry: {maxAttempts: many}
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'retry.maxAttempts' is 'many', but must be a whole number.");
        assertThat(failure("flag.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                enabled: maybe
                """))
                .isEqualTo("Connector file " + folder.resolve("flag.yaml")
                        + ": key 'enabled' is 'maybe', but must be true or false.");
    }

    @Test
    void aValueOutOfItsRangeOrChoicesNamesWhatIsAllowed() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                format: xml
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'format' is 'xml', but must be one of json, form.");
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                retry: {jitter: 2}
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'retry.jitter' is 2, but must be at most 1.");
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                auth: {}
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'auth' must set one of bearer, basic, header.");
    }

    @Test
    void aSecretOfTheWrongFormIsNamedButNotShown() throws IOException {
        String message = failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                secret: [whsec_dGVzdA==, not-a-secret-s3cr3t]
                """);
        assertThat(message)
                .isEqualTo(
                        "Connector file " + folder.resolve("hook.yaml")
                                + ": key 'secret[1]' does not have the form it needs: whsec_ followed by the base64 of the key.")
                .doesNotContain("s3cr3t");
        // a value of none of the forms a key may take names them all at once
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                secret: 12345
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'secret' is a whole number, but must be text or a list.");
    }

    @Test
    void everyProblemOfAFileIsOneSentenceAndNoneIsLeftOut() throws IOException {
        Path file = write("crm.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                retires: 3
                timeout: 10 seconds
                enabled: maybe
                format: xml
                auth: {bearer: "${CRM_TOKEN}"}
                """);
        Throwable thrown = catchThrowable(() -> new ConnectorLoader(environment).load(file));

        assertThat(thrown).isInstanceOf(ConnectorConfigException.class);
        String at = "Connector file " + file + ": ";
        // format and the other keys of the type are known keys: a failed key reports no others as unknown
        assertThat(((ConnectorConfigException) thrown).problems())
                .containsExactly(
                        at + "key 'auth.bearer' refers to ${CRM_TOKEN}, but that environment variable or property is "
                                + "not set.",
                        at + "key 'enabled' is 'maybe', but must be true or false.",
                        at + "key 'format' is 'xml', but must be one of json, form.",
                        at + "unknown key 'retires' (did you mean 'retry'?).",
                        at + "key 'timeout' is '10 seconds', but must be a duration such as 10s, 500ms, 2m (units ms, "
                                + "s, m, h, d).");
        assertThat(thrown.getMessage()).doesNotContain("more problem");
    }

    @Test
    void everyBadFileOfTheFolderIsReportedTogether() throws IOException {
        Path broken = write("a-broken.yml", "type: webhook\n  endpoint: x\n");
        Path hook = write("b-hook.yaml", "type: webhook\ntimout: 5s\n");
        write("c-good.yaml", "type: webhook\nendpoint: https://hooks.example.com/in\n");

        Throwable thrown = catchThrowable(() -> new ConnectorLoader(environment).loadAll(folder));

        assertThat(((ConnectorConfigException) thrown).problems())
                .containsExactly(
                        "Connector file " + broken + " is not valid YAML at line 2, column 11: mapping values are not "
                                + "allowed here.",
                        "Connector file " + hook + ": key 'endpoint' is missing; a webhook connector needs it.",
                        "Connector file " + hook + ": unknown key 'timout' (did you mean 'timeout'?).");
    }

    @Test
    void malformedYamlNamesTheLineAndWhatTheParserExpected() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                  endpoint: https://hooks.example.com/in
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + " is not valid YAML at line 2, column 11: mapping values are not allowed here.");
        assertThat(failure("list.yaml", """
                type: webhook
                events: [checkout.abandoned
                """))
                .isEqualTo("Connector file " + folder.resolve("list.yaml")
                        + " is not valid YAML at line 3, column 1: expected ',' or ']', but got <stream end> "
                        + "while parsing a flow sequence.");
    }

    @Test
    void anUnresolvedReferenceIsReportedOnceAndItsPlaceNotValidatedToo() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: "${CRM_URL}"
                """))
                .isEqualTo("Connector file " + folder.resolve("hook.yaml")
                        + ": key 'endpoint' refers to ${CRM_URL}, but that environment variable or property is not "
                        + "set.");
    }

    @Test
    void anUnresolvedEnvironmentReferenceNamesTheKeyAndTheReference() throws IOException {
        assertThat(failure("hook.yaml", """
                type: webhook
                endpoint: https://hooks.example.com/in
                auth: {bearer: "${CRM_TOKEN}"}
                """))
                .isEqualTo(
                        "Connector file " + folder.resolve("hook.yaml")
                                + ": key 'auth.bearer' refers to ${CRM_TOKEN}, but that environment variable or property is not set.");
    }

    @Test
    void twoFilesWithTheSameNameAreRefused() throws IOException {
        write("a.yaml", "name: crm\ntype: webhook\nendpoint: https://a.example.com/in\n");
        write("b.yaml", "name: crm\ntype: webhook\nendpoint: https://b.example.com/in\n");
        write("notes.txt", "not a connector");
        assertThatThrownBy(() -> new ConnectorLoader(environment).loadAll(folder))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessage("Connector file " + folder.resolve("b.yaml") + ": key 'name' must be unique, but 'crm' is "
                        + "already used by " + folder.resolve("a.yaml") + ".");
        Files.delete(folder.resolve("b.yaml"));
        List<ConnectorDefinition> all = new ConnectorLoader(environment).loadAll(folder);
        assertThat(all).extracting(ConnectorDefinition::name).containsExactly("crm");
    }

    @Test
    void aHubWithBadConnectorFilesStopsBeforeAnythingStartsAndReportsEveryProblem(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create()) {
            Path home = folder.resolve("home");
            TestHub.Builder hub =
                    TestHub.on(database).home(home).connector("crm", """
                            type: webhook
                            endpoint: https://hooks.example.com/in
                            retires: 3
                            timeout: 10 seconds
                            """).connector("shop", """
                            type: email
                            smtp: {host: smtp.example.com, prot: 25}
                            enabled: maybe
                            """);
            Throwable thrown = catchThrowable(() -> hub.start().close());

            // thrown as it is, not inside a bean's creation: no bean, web server or database pool was started
            assertThat(thrown).isInstanceOf(ConnectorConfigException.class);
            String crm = "Connector file " + home.resolve("connectors/crm.yaml") + ": ";
            String shop = "Connector file " + home.resolve("connectors/shop.yaml") + ": ";
            List<String> problems = List.of(
                    crm + "unknown key 'retires' (did you mean 'retry'?).",
                    crm + "key 'timeout' is '10 seconds', but must be a duration such as 10s, 500ms, 2m (units ms, s, "
                            + "m, h, d).",
                    shop + "key 'enabled' is 'maybe', but must be true or false.",
                    shop + "key 'from' is missing; an email connector needs it.",
                    shop + "unknown key 'smtp.prot' (did you mean 'smtp.port'?).");
            assertThat(((ConnectorConfigException) thrown).problems()).containsExactlyElementsOf(problems);

            FailureAnalysis analysis = new ConnectorConfigFailureAnalyzer().analyze(thrown);
            String nl = System.lineSeparator();
            assertThat(analysis.getDescription())
                    .isEqualTo(
                            "The connector files have 5 problems:" + nl + "  - " + String.join(nl + "  - ", problems));
            // Spring Boot found the analyzer (META-INF/spring.factories) and printed the block, and nothing else
            String all = output.getAll();
            assertThat(all)
                    .contains("APPLICATION FAILED TO START")
                    .contains("Description:" + nl + nl + analysis.getDescription() + nl + nl + "Action:")
                    .doesNotContain("Tomcat", "Hikari", "Flyway", "Started", "Exception", "\tat ");
            assertThat(all.split("unknown key 'retires'", -1))
                    .as("the problem printed once")
                    .hasSize(2);
        }
    }

    @Test
    void aConnectorItsTypeRefusesStopsTheStartBeforeTheWebServerStarts(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create()) {
            Path home = folder.resolve("home");
            TestHub.Builder hub =
                    TestHub.on(database).home(home).connector("list", """
                            type: mailchimp
                            apiKey: 0123456789abcdef
                            listId: abc123
                            """).connector("other-list", """
                            type: mailchimp
                            apiKey: fedcba9876543210
                            listId: def456
                            """);
            Throwable thrown = catchThrowable(() -> hub.start().close());

            FailureAnalysis analysis = new ConnectorConfigFailureAnalyzer().analyze(thrown);
            assertThat(analysis).isNotNull();
            String problem = ": key 'apiKey' must end in its data centre (such as -us6), or key 'endpoint' must give "
                    + "the API base URL (such as https://us6.api.mailchimp.com).";
            String nl = System.lineSeparator();
            // both files are named in the one start
            String description = "The connector files have 2 problems:" + nl
                    + "  - Connector file " + home.resolve("connectors/list.yaml") + problem + nl
                    + "  - Connector file " + home.resolve("connectors/other-list.yaml") + problem;
            assertThat(analysis.getDescription()).isEqualTo(description);
            assertThat(output.getAll())
                    .contains("APPLICATION FAILED TO START")
                    .contains("Description:" + nl + nl + description)
                    .doesNotContain("Tomcat", "appears to have started a thread", "\tat ");
        }
    }
}
