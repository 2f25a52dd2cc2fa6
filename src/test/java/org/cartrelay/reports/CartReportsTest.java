package org.cartrelay.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The reports over real checkouts: four started the same day (one converted in time, three abandoned, one of them
 * recovered for more than its cart) and a fifth two days later, still pending. {@code /api/carts} filters and pages
 * them, {@code /api/carts.csv} streams the same rows as neutralised CSV, {@code /api/stats} counts them per product
 * and per order form, {@code /api/summary} gives the headline figures and a series per day in the viewer's zone.
 */
class CartReportsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AUTH =
            "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-ops".getBytes(StandardCharsets.UTF_8));

    private static TestDatabase database;
    private static TestHub hub;
    private static Instant dayOne;
    private static Instant dayThree;

    @BeforeAll
    static void start() {
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "30m")
                .property("cartrelay.admin.username", "ops")
                .property("cartrelay.admin.password", "s3cret-ops")
                .start();
        dayOne = hub.clock().instant();
        started("ann1", "ann@example.com", "Ann", "Lee", "f1", "10.00", "p-tea");
        started("bob", "bob@example.com", "Bob", "Stone", "f1", "30.00", "p-tea", "p-mug");
        started(
                "eve",
                "eve@example.com",
                "=HYPERLINK(\\\"http://evil.example\\\",\\\"x\\\")",
                "Müller, Jr.",
                null,
                "5.00",
                "p-tea");
        completed("bob", "30.00");
        assertThat(count("converted")).isEqualTo(1);
        hub.clock().advance(Duration.ofMinutes(31));
        await().atMost(Duration.ofSeconds(15)).until(() -> count("abandoned") == 2);
        // Ann's second cart after her first was abandoned: within the delay it would supersede the first (a burst)
        started("ann2", "ann@example.com", "Ann", "Lee", "f2", "20.00", "p-mug");
        hub.clock().advance(Duration.ofMinutes(31));
        await().atMost(Duration.ofSeconds(15)).until(() -> count("abandoned") == 3);
        completed("ann1", "12.50");
        await().atMost(Duration.ofSeconds(15)).until(() -> count("recovered") == 1);
        hub.clock().advance(Duration.ofDays(2));
        dayThree = hub.clock().instant();
        started("zed", "zed@example.com", "Zed", "Young", "f1", "7.00", "p-cup");
    }

    @AfterAll
    static void stop() {
        hub.close();
        database.close();
    }

    private static long count(String status) {
        return hub.count("select count(*) from checkout where status = ?", status);
    }

    private static void started(
            String key,
            String email,
            String firstName,
            String lastName,
            String orderForm,
            String total,
            String... products) {
        List<String> items = new ArrayList<>();
        for (String product : products) {
            items.add("{\"productId\": \"%s\", \"name\": \"Thing\", \"quantity\": 1, \"unitPrice\": \"%s\"}"
                    .formatted(product, total));
        }
        String json = """
                {"type": "checkout.started", "source": "test-shop", "sourceEventId": "start-%s",
                 "checkout": {"id": "cart-%s", %s "currency": "EUR", "total": "%s", "items": [%s]},
                 "customer": {"email": "%s", "firstName": "%s", "lastName": "%s", "address": {"country": "US"}},
                 "consent": {"newsletter": true}}
                """.formatted(
                        key,
                        key,
                        orderForm == null ? "" : "\"orderFormId\": \"" + orderForm + "\",",
                        total,
                        String.join(", ", items),
                        email,
                        firstName,
                        lastName);
        accept(key, json);
    }

    private static void completed(String key, String total) {
        accept("order-" + key, """
                {"type": "order.completed", "source": "test-shop", "sourceEventId": "order-%s",
                 "checkout": {"id": "cart-%s", "currency": "EUR", "total": "%s"}, "order": {"id": "ord-%s"}}
                """.formatted(key, key, total, key));
    }

    private static void accept(String id, String json) {
        HttpResponse<String> response = Notices.post(hub, id, json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    }

    static HttpResponse<String> get(String path) {
        return TestHub.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.port() + path))
                .header("Authorization", AUTH)
                .GET());
    }

    private static JsonNode json(String path) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static List<String> checkoutIds(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("checkoutId").asText()));
        return ids;
    }

    @Test
    void cartsAreListedNewestFirstWithTheirStoredDetails() throws Exception {
        JsonNode page = json("/api/carts");
        assertThat(page.get("total").asLong()).isEqualTo(5);
        assertThat(checkoutIds(page).get(0)).isEqualTo("cart-zed");
        assertThat(checkoutIds(page))
                .containsExactlyInAnyOrder("cart-ann1", "cart-ann2", "cart-bob", "cart-eve", "cart-zed");
        JsonNode bob = page.get("items").get(checkoutIds(page).indexOf("cart-bob"));
        assertThat(bob.get("status").asText()).isEqualTo("converted");
        assertThat(bob.get("products").toString()).isEqualTo("[\"p-tea\",\"p-mug\"]");
        assertThat(bob.get("items").toString())
                .isEqualTo(
                        "[{\"productId\":\"p-tea\",\"name\":\"Thing\"},{\"productId\":\"p-mug\",\"name\":\"Thing\"}]");
        assertThat(bob.get("deliveries")).isEmpty();
        assertThat(bob.get("orderFormId").asText()).isEqualTo("f1");
        assertThat(bob.get("total").asText()).isEqualTo("30.00");
        assertThat(bob.get("firstName").asText()).isEqualTo("Bob");
        assertThat(bob.get("recovered").isNull()).isTrue();
    }

    @Test
    void cartsAreFilteredByEmailIgnoringCase() throws Exception {
        assertThat(checkoutIds(json("/api/carts?email=ANN@Example.com")))
                .containsExactlyInAnyOrder("cart-ann1", "cart-ann2");
    }

    @Test
    void cartsAreFilteredByAnyOfTheirProducts() throws Exception {
        assertThat(checkoutIds(json("/api/carts?product=p-mug"))).containsExactlyInAnyOrder("cart-ann2", "cart-bob");
        assertThat(checkoutIds(json("/api/carts?product=p-cup"))).containsExactly("cart-zed");
        assertThat(checkoutIds(json("/api/carts?product=p-%25"))).isEmpty();
    }

    @Test
    void cartsAreFilteredByStatusWithTheRecoveredAmount() throws Exception {
        JsonNode recovered = json("/api/carts?status=recovered");
        assertThat(checkoutIds(recovered)).containsExactly("cart-ann1");
        assertThat(recovered.at("/items/0/recovered/amount").asText()).isEqualTo("12.50");
        assertThat(recovered.at("/items/0/recovered/currency").asText()).isEqualTo("EUR");
        assertThat(recovered.at("/items/0/abandonedAt").isNull()).isFalse();
        assertThat(checkoutIds(json("/api/carts?status=abandoned,converted")))
                .containsExactlyInAnyOrder("cart-ann2", "cart-eve", "cart-bob");
        assertThat(checkoutIds(json("/api/carts?status=superseded"))).isEmpty();
    }

    @Test
    void cartsAreFilteredByStartTime() throws Exception {
        assertThat(checkoutIds(json("/api/carts?from=" + dayThree.minusSeconds(60))))
                .containsExactly("cart-zed");
        assertThat(checkoutIds(json("/api/carts?from=" + dayOne.minusSeconds(60) + "&to=" + dayOne.plusSeconds(3600))))
                .containsExactlyInAnyOrder("cart-ann1", "cart-ann2", "cart-bob", "cart-eve");
        String day = dayThree.toString().substring(0, 10);
        assertThat(checkoutIds(json("/api/carts?from=" + day + "&to=" + day))).containsExactly("cart-zed");
    }

    @Test
    void cartsArePaged() throws Exception {
        JsonNode first = json("/api/carts?size=2");
        JsonNode last = json("/api/carts?size=2&page=2");
        assertThat(first.get("items")).hasSize(2);
        assertThat(first.get("total").asLong()).isEqualTo(5);
        assertThat(last.get("items")).hasSize(1);
        assertThat(last.get("page").asInt()).isEqualTo(2);
        List<String> all = new ArrayList<>(checkoutIds(first));
        all.addAll(checkoutIds(json("/api/carts?size=2&page=1")));
        all.addAll(checkoutIds(last));
        assertThat(all).doesNotHaveDuplicates().hasSize(5);
    }

    @Test
    void badFiltersAreRefusedWithASentenceNamingTheParameter() throws Exception {
        HttpResponse<String> from = get("/api/carts?from=yesterday");
        assertThat(from.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(from.body()).get("detail").asText()).contains("'from'", "yesterday");
        assertThat(JSON.readTree(get("/api/carts?size=0").body()).get("detail").asText())
                .contains("'size'");
        assertThat(get("/api/carts?status=drop%20table").statusCode()).isEqualTo(400);
        assertThat(get("/api/carts.csv?to=2026-13-45").statusCode()).isEqualTo(400);
        assertThat(get("/api/stats?from=2026-08-02&to=2026-08-01").statusCode()).isEqualTo(400);
    }

    @Test
    void theCsvHasAHeaderRowAndTheFilteredRowsInUtf8WithFormulasNeutralised() throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        "http://127.0.0.1:" + hub.port() + "/api/carts.csv?email=eve@example.com"))
                                .header("Authorization", AUTH)
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow())
                .isEqualToIgnoringCase("text/csv;charset=UTF-8");
        assertThat(response.headers().firstValue("Content-Disposition").orElseThrow())
                .contains("attachment");
        String csv = new String(response.body(), StandardCharsets.UTF_8);
        String[] lines = csv.split("\r\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0])
                .isEqualTo(
                        "id,source,checkout_id,email,first_name,last_name,status,started_at,"
                                + "abandoned_at,closed_at,order_form_id,currency,total,products,recovered_amount,recovered_currency");
        assertThat(lines[1])
                .contains(",generic,cart-eve,eve@example.com,"
                        + "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",\"Müller, Jr.\",abandoned,");
        assertThat(lines[1]).endsWith(",,EUR,5.00,p-tea,,");
    }

    @Test
    void theCsvHasEveryMatchingRowWithTheRecoveredAmount() throws Exception {
        String[] all = get("/api/carts.csv").body().split("\r\n");
        assertThat(all).hasSize(6);
        String[] recovered = get("/api/carts.csv?status=recovered").body().split("\r\n");
        assertThat(recovered).hasSize(2);
        assertThat(recovered[1])
                .contains(",cart-ann1,ann@example.com,Ann,Lee,recovered,")
                .endsWith(",f1,EUR,10.00,p-tea,12.50,EUR");
        assertThat(get("/api/carts.csv?email=nobody@example.com").body())
                .isEqualTo(String.join(",", ReportsApi.CSV_HEADER) + "\r\n");
    }

    @Test
    void statsCountEachProductAndOrderFormOverTheRange() throws Exception {
        JsonNode stats = json("/api/stats?from=" + dayOne.minusSeconds(60) + "&to=" + dayOne.plusSeconds(3600));
        JsonNode total = stats.get("total");
        assertThat(total.get("started").asLong()).isEqualTo(4);
        assertThat(total.get("abandoned").asLong()).isEqualTo(3);
        assertThat(total.get("recovered").asLong()).isEqualTo(1);
        assertThat(total.get("converted").asLong()).isEqualTo(1);
        assertThat(total.get("pending").asLong()).isZero();
        assertThat(total.get("conversionRate").decimalValue()).isEqualByComparingTo("0.25");
        assertThat(total.get("recoveryRate").decimalValue()).isEqualByComparingTo("0.3333");
        assertThat(total.get("recoveredRevenue").toString()).isEqualTo("{\"EUR\":\"12.50\"}");

        JsonNode tea = find(stats.get("products"), "productId", "p-tea");
        assertThat(tea.get("source").asText()).isEqualTo("generic");
        assertThat(tea.get("started").asLong()).isEqualTo(3);
        assertThat(tea.get("abandoned").asLong()).isEqualTo(2);
        assertThat(tea.get("recovered").asLong()).isEqualTo(1);
        assertThat(tea.get("converted").asLong()).isEqualTo(1);
        assertThat(tea.get("conversionRate").decimalValue()).isEqualByComparingTo("0.3333");
        assertThat(tea.get("recoveryRate").decimalValue()).isEqualByComparingTo("0.5");
        assertThat(tea.get("recoveredRevenue").toString()).isEqualTo("{\"EUR\":\"12.50\"}");
        JsonNode mug = find(stats.get("products"), "productId", "p-mug");
        assertThat(mug.get("started").asLong()).isEqualTo(2);
        assertThat(mug.get("abandoned").asLong()).isEqualTo(1);
        assertThat(mug.get("recovered").asLong()).isZero();
        assertThat(mug.get("recoveryRate").decimalValue()).isEqualByComparingTo("0");
        assertThat(mug.get("recoveredRevenue").size()).isZero();
        assertThat(stats.get("products")).hasSize(2);

        JsonNode f1 = find(stats.get("orderForms"), "orderFormId", "f1");
        assertThat(f1.get("started").asLong()).isEqualTo(2);
        assertThat(f1.get("abandoned").asLong()).isEqualTo(1);
        assertThat(f1.get("recovered").asLong()).isEqualTo(1);
        assertThat(f1.get("converted").asLong()).isEqualTo(1);
        assertThat(f1.get("recoveryRate").decimalValue()).isEqualByComparingTo("1");
        assertThat(find(stats.get("orderForms"), "orderFormId", "f2")
                        .get("abandoned")
                        .asLong())
                .isEqualTo(1);
        assertThat(find(stats.get("orderForms"), "orderFormId", CartStats.NONE)
                        .get("started")
                        .asLong())
                .isEqualTo(1);
        assertThat(stats.get("orderForms")).hasSize(3);
    }

    @Test
    void statsWithoutARangeCountEveryCheckoutAndLeaveUndecidedRatesEmpty() throws Exception {
        JsonNode stats = json("/api/stats");
        assertThat(stats.at("/total/started").asLong()).isEqualTo(5);
        assertThat(stats.at("/total/pending").asLong()).isEqualTo(1);
        JsonNode cup = find(stats.get("products"), "productId", "p-cup");
        assertThat(cup.get("pending").asLong()).isEqualTo(1);
        assertThat(cup.get("conversionRate").isNull()).isTrue();
        assertThat(cup.get("recoveryRate").isNull()).isTrue();
    }

    @Test
    void theSummaryHasTheHeadlineFiguresAndAddsThemUpPerDayInTheViewersZone() throws Exception {
        String range = "from=" + dayOne.minusSeconds(60) + "&to=" + dayOne.plusSeconds(3600);
        for (String zone : List.of("UTC", "Asia/Kolkata", "America/Los_Angeles")) {
            JsonNode summary = json("/api/summary?" + range + "&zone=" + zone);
            assertThat(summary.get("zone").asText()).isEqualTo(zone);
            assertThat(summary.get("started").asLong()).isEqualTo(4);
            assertThat(summary.get("abandoned").asLong()).isEqualTo(3);
            assertThat(summary.get("recovered").asLong()).isEqualTo(1);
            assertThat(summary.get("recoveryRate").decimalValue()).isEqualByComparingTo("0.3333");
            assertThat(summary.get("recoveredRevenue").toString()).isEqualTo("{\"EUR\":\"12.50\"}");
            // eve's 5.00 and ann's second cart's 20.00 are abandoned and not recovered
            assertThat(summary.get("openRevenue").toString()).isEqualTo("{\"EUR\":\"25.00\"}");

            // each abandonment and recovery counts on its own day where the viewer is
            Map<String, long[]> expected = new TreeMap<>();
            for (JsonNode cart : json("/api/carts?" + range).get("items")) {
                if (!cart.get("abandonedAt").isNull()) {
                    expected.computeIfAbsent(day(cart.get("abandonedAt"), zone), d -> new long[2])[0]++;
                }
                if (cart.get("status").asText().equals("recovered")) {
                    expected.computeIfAbsent(day(cart.get("closedAt"), zone), d -> new long[2])[1]++;
                }
            }
            Map<String, long[]> days = new TreeMap<>();
            summary.get("days")
                    .forEach(d -> days.put(d.get("date").asText(), new long[] {
                        d.get("abandoned").asLong(), d.get("recovered").asLong()
                    }));
            assertThat(days.keySet())
                    .first()
                    .isEqualTo(day(JSON.valueToTree(dayOne.minusSeconds(60).toString()), zone));
            expected.forEach((date, counts) ->
                    assertThat(days.get(date)).as(zone + " " + date).containsExactly(counts));
            assertThat(days.values().stream().mapToLong(c -> c[0]).sum()).isEqualTo(3);
            assertThat(days.values().stream().mapToLong(c -> c[1]).sum()).isEqualTo(1);
        }
    }

    @Test
    void theSummaryFillsEveryDayOfThePeriodWithZeros() throws Exception {
        String first = dayThree.plus(Duration.ofDays(10)).toString().substring(0, 10);
        String last = dayThree.plus(Duration.ofDays(16)).toString().substring(0, 10);
        JsonNode summary = json("/api/summary?from=" + first + "&to=" + last);
        assertThat(summary.get("zone").asText()).isEqualTo("UTC");
        assertThat(summary.get("started").asLong()).isZero();
        assertThat(summary.get("abandoned").asLong()).isZero();
        assertThat(summary.get("recoveryRate").isNull()).isTrue();
        assertThat(summary.get("openRevenue").size()).isZero();
        assertThat(summary.get("days")).hasSize(7);
        assertThat(summary.at("/days/0/date").asText()).isEqualTo(first);
        assertThat(summary.at("/days/6/date").asText()).isEqualTo(last);
        summary.get("days")
                .forEach(d -> assertThat(
                                d.get("abandoned").asLong() + d.get("recovered").asLong())
                        .isZero());
        HttpResponse<String> zone = get("/api/summary?zone=Mars/Olympus");
        assertThat(zone.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(zone.body()).get("detail").asText()).contains("'zone'", "Mars/Olympus");
    }

    private static String day(JsonNode instant, String zone) {
        return LocalDate.ofInstant(Instant.parse(instant.asText()), ZoneId.of(zone))
                .toString();
    }

    private static JsonNode find(JsonNode rows, String key, String value) {
        for (JsonNode row : rows) {
            if (row.get(key).asText().equals(value)) {
                return row;
            }
        }
        throw new AssertionError("No row with " + key + " " + value + " in " + rows);
    }
}
