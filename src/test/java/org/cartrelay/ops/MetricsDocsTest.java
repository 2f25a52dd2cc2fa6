package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.cartrelay.delivery.ConnectorRuntimes;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.VendorHub;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

/**
 * {@code /actuator/prometheus} of a hub with three webhook connectors that delivered, dead-lettered and were paused, so
 * that every labelled series exists: each connector's state is a gauge per state, 1 for the one it is in; every metric
 * the shipped Grafana dashboard and alert rules ({@code docs/grafana}) name is exposed; each metric's help text says
 * whether it counts since start or is read from the database, and docs/operations.md lists it.
 */
class MetricsDocsTest {

    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));
    private static final Path DASHBOARD = Path.of("docs/grafana/cartrelay-dashboard.json");
    private static final Path ALERTS = Path.of("docs/grafana/alerts.yaml");
    private static final Path OPERATIONS = Path.of("docs/operations.md");
    /** Prometheus' own series, present without the hub exposing them. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up");

    private static final Set<String> KEYWORDS = Set.of(
            "and",
            "or",
            "unless",
            "bool",
            "offset",
            "by",
            "without",
            "on",
            "ignoring",
            "group_left",
            "group_right",
            "inf",
            "nan",
            "atan2");
    private static final Set<String> FROM_THE_DATABASE = Set.of(
            "cartrelay_connector_backlog",
            "cartrelay_connector_backlog_oldest_age_seconds",
            "cartrelay_connector_dead_letters",
            "cartrelay_checkouts_pending");
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
        awaitOneDelivery(hub, "fine", "delivered");
        awaitOneDelivery(hub, "dead", "dead");
        awaitOneDelivery(hub, "paused", "pending");
    }

    /** Waits until the connector has one delivery, in this status. */
    private static void awaitOneDelivery(TestHub hub, String connector, String status) {
        await().atMost(Duration.ofSeconds(20))
                .until(() ->
                        hub.count("select count(*) from delivery where connector = ? and status = ?", connector, status)
                                == 1);
    }

    private String exposition() {
        HttpResponse<String> response = TestHub.send(HttpRequest.newBuilder(hub.uri("/actuator/prometheus"))
                .header("Authorization", AUTH)
                .GET());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** Every sample of the exposition, by its series (name and labels as written). */
    private Map<String, Double> samples() {
        Map<String, Double> samples = new LinkedHashMap<>();
        for (String line : exposition().split("\n")) {
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

    @Test
    void everyMetricTheDashboardAndTheAlertRulesNameIsExposed() throws Exception {
        Set<String> exposed = new TreeSet<>(PROMETHEUS_OWN);
        samples().keySet().forEach(series -> exposed.add(series.replaceFirst("\\{.*", "")));

        Set<String> named = new TreeSet<>();
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        List<JsonNode> exprs = dashboard.findValues("expr");
        assertThat(exprs).hasSizeGreaterThan(10);
        exprs.forEach(expr -> named.addAll(metricNames(expr.asText())));
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            named.addAll(
                    metricNames(labelValuesSelector(variable.path("definition").asText())));
            named.addAll(metricNames(
                    labelValuesSelector(variable.path("query").path("query").asText())));
        }
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
        List<JsonNode> rules = alerts.findValues("rules");
        assertThat(rules).isNotEmpty();
        for (JsonNode group : rules) {
            for (JsonNode rule : group) {
                named.addAll(metricNames(rule.path("expr").asText()));
            }
        }

        assertThat(named)
                .contains(
                        "cartrelay_notices_total",
                        "cartrelay_deliveries_total",
                        "cartrelay_delivery_latency_seconds_bucket",
                        "cartrelay_connector_backlog",
                        "cartrelay_connector_backlog_oldest_age_seconds",
                        "cartrelay_connector_dead_letters",
                        "cartrelay_connector_state",
                        "jvm_memory_used_bytes",
                        "process_cpu_usage",
                        "up");
        assertThat(exposed).containsAll(named);
    }

    @Test
    void theDashboardIsAnImportableGrafanaDashboardOverAPrometheusInput() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());

        assertThat(dashboard.path("schemaVersion").asInt()).isBetween(36, 41);
        assertThat(dashboard.path("__inputs").findValuesAsText("name")).containsExactly("DS_PROMETHEUS");
        JsonNode connector = dashboard.path("templating").path("list").get(0);
        assertThat(connector.path("name").asText()).isEqualTo("connector");
        assertThat(connector.path("definition").asText()).startsWith("label_values(");
        Set<Integer> ids = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt()))
                    .as("panel id %s", panel.path("id"))
                    .isTrue();
            if (!panel.path("type").asText().equals("row")) {
                assertThat(panel.path("datasource").path("uid").asText())
                        .as(panel.path("title").asText())
                        .isEqualTo("${DS_PROMETHEUS}");
                assertThat(panel.path("targets"))
                        .as(panel.path("title").asText())
                        .isNotEmpty();
            }
        }
    }

    @Test
    void everyAlertRuleHasAnExpressionADurationASeverityAndASummary() throws Exception {
        JsonNode alerts = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());

        List<String> names = new ArrayList<>();
        for (JsonNode group : alerts.path("groups")) {
            assertThat(group.path("name").asText()).isNotBlank();
            for (JsonNode rule : group.path("rules")) {
                String name = rule.path("alert").asText();
                names.add(name);
                assertThat(rule.path("expr").asText()).as(name).isNotBlank();
                assertThat(rule.path("for").asText()).as(name).matches("\\d+[smh]");
                assertThat(rule.path("labels").path("severity").asText())
                        .as(name)
                        .isIn("warning", "critical");
                assertThat(rule.path("annotations").path("summary").asText())
                        .as(name)
                        .isNotBlank();
            }
        }
        assertThat(names)
                .containsExactlyInAnyOrder(
                        "CartRelayHubDown",
                        "CartRelayIntakeUnavailable",
                        "CartRelayBacklogTooOld",
                        "CartRelayDeadLettersIncreasing",
                        "CartRelayConnectorDisabled",
                        "CartRelayBreakerOpen");
    }

    @Test
    void eachMetricsHelpSaysWhetherItCountsSinceStartOrIsReadFromTheDatabaseAndTheDocsListIt() throws Exception {
        Map<String, String> help = new TreeMap<>();
        Map<String, String> type = new TreeMap<>();
        for (String line : exposition().split("\n")) {
            String[] parts = line.split(" ", 4);
            if (parts.length == 4 && parts[2].startsWith("cartrelay_") && parts[1].equals("HELP")) {
                help.put(parts[2], parts[3]);
            } else if (parts.length == 4 && parts[2].startsWith("cartrelay_") && parts[1].equals("TYPE")) {
                type.put(parts[2], parts[3]);
            }
        }
        assertThat(type.keySet()).containsAll(FROM_THE_DATABASE);
        String operations = Files.readString(OPERATIONS);

        type.forEach((name, kind) -> {
            if (FROM_THE_DATABASE.contains(name)) {
                assertThat(kind).as(name).isEqualTo("gauge");
                assertThat(help.get(name)).as(name).endsWith("; from the database, all instances");
            } else if (!kind.equals("gauge") || name.endsWith("_seconds_max")) {
                // counters and timers, and a timer's maximum
                assertThat(help.get(name)).as(name).endsWith("; since start");
            } else {
                assertThat(help.get(name)).as(name).doesNotContain("since start", "from the database");
            }
            if (!name.endsWith("_max")) {
                assertThat(operations).as(name + " in " + OPERATIONS).contains("`" + name + "`");
            }
        });
    }

    /** The selector of a Grafana {@code label_values(selector, label)} query, or nothing for label_values(label). */
    static String labelValuesSelector(String query) {
        Matcher call =
                Pattern.compile("^\\s*label_values\\((.*),\\s*\\w+\\s*\\)\\s*$").matcher(query);
        return call.matches() ? call.group(1) : "";
    }

    /** The metric names a PromQL expression reads: no function, keyword, label, string, range or Grafana variable. */
    static Set<String> metricNames(String promql) {
        String bare = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", " ")
                .replaceAll("\\{[^}]*}", " ")
                .replaceAll("\\[[^\\]]*\\]", " ")
                .replaceAll("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
                .replaceAll("\\$\\{?\\w+}?", " ");
        Set<String> names = new TreeSet<>();
        Matcher token =
                Pattern.compile("(?<![\\w:.])([a-zA-Z_:][\\w:]*)(\\s*\\()?").matcher(bare);
        while (token.find()) {
            if (token.group(2) == null && !KEYWORDS.contains(token.group(1).toLowerCase(Locale.ROOT))) {
                names.add(token.group(1));
            }
        }
        return names;
    }

    @Test
    void theNameExtractionSkipsFunctionsLabelsKeywordsAndVariables() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (connector, le) (rate(a_bucket{connector=~\"$c\"}"
                        + "[$__rate_interval])))"))
                .containsExactly("a_bucket");
        assertThat(metricNames("max by (c) (x{state=\"disabled\"}) == 1 and on (c) max by (c) (y) > 0"))
                .containsExactly("x", "y");
        assertThat(metricNames("max(z < +Inf) offset 5m > bool 15 * 60")).containsExactly("z");
        assertThat(metricNames("up{job=\"cartrelay\"} == 0")).containsExactly("up");
        assertThat(labelValuesSelector("label_values(b{x=\"1\"}, connector)")).isEqualTo("b{x=\"1\"}");
        assertThat(labelValuesSelector("label_values(connector)")).isEmpty();
    }
}
