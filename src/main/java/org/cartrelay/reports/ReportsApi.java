package org.cartrelay.reports;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

/**
 * The reports (docs/reports.md): {@code /api/carts} (paged JSON), {@code /api/carts.csv} (the same filters,
 * streamed), {@code /api/stats} (per product and per order form), {@code /api/summary} (headline figures and a series
 * per day), and {@code /api/deliveries/{id}} so the admin
 * page can follow a replay until it is delivered. Behind the admin's credentials like all of {@code /api/**}.
 */
@RestController
public class ReportsApi {

    static final int MAX_PAGE_SIZE = 500;
    static final List<String> CSV_HEADER = List.of(
            "id",
            "source",
            "checkout_id",
            "email",
            "first_name",
            "last_name",
            "status",
            "started_at",
            "abandoned_at",
            "closed_at",
            "order_form_id",
            "currency",
            "total",
            "products",
            "recovered_amount",
            "recovered_currency");

    private final CartReports carts;
    private final JdbcClient jdbc;

    public ReportsApi(CartReports carts, JdbcClient jdbc) {
        this.carts = carts;
        this.jdbc = jdbc;
    }

    @GetMapping("/api/carts")
    public Map<String, Object> carts(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String email,
            @RequestParam(required = false) String product,
            @RequestParam(required = false) String status,
            @RequestParam(defaultValue = "0") String page,
            @RequestParam(defaultValue = "50") String size) {
        CartQuery query = CartQuery.parse(from, to, email, product, status);
        int pageNumber = number("page", page, 0, Integer.MAX_VALUE / MAX_PAGE_SIZE);
        int pageSize = number("size", size, 1, MAX_PAGE_SIZE);
        CartReports.Page result = carts.page(query, pageNumber * pageSize, pageSize);
        Map<String, List<CartReports.Delivery>> deliveries =
                carts.deliveries(result.items().stream().map(CartRow::id).toList());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("page", pageNumber);
        body.put("size", pageSize);
        body.put("total", result.total());
        body.put(
                "items",
                result.items().stream()
                        .map(row -> {
                            Map<String, Object> view = view(row);
                            view.put("deliveries", deliveries.getOrDefault(row.id(), List.of()));
                            return view;
                        })
                        .toList());
        return body;
    }

    @GetMapping("/api/carts.csv")
    public ResponseEntity<StreamingResponseBody> cartsCsv(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String email,
            @RequestParam(required = false) String product,
            @RequestParam(required = false) String status) {
        CartQuery query = CartQuery.parse(from, to, email, product, status);
        StreamingResponseBody body = out -> {
            Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
            Csv.writeRow(writer, CSV_HEADER);
            try {
                carts.stream(query, row -> {
                    try {
                        Csv.writeRow(writer, csv(row));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            } catch (UncheckedIOException e) {
                throw e.getCause(); // the client went away
            }
            writer.flush();
        };
        return ResponseEntity.ok()
                .contentType(new MediaType("text", "csv", StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"carts.csv\"")
                .body(body);
    }

    @GetMapping("/api/stats")
    public Map<String, Object> stats(
            @RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        CartQuery query = CartQuery.parse(from, to, null, null, null);
        CartStats stats = new CartStats();
        carts.stream(query, stats::add);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", query.from());
        body.put("to", query.to());
        body.put("total", figures(stats.total(), null));
        body.put(
                "products",
                stats.products().stream().map(f -> figures(f, "productId")).toList());
        body.put(
                "orderForms",
                stats.orderForms().stream().map(f -> figures(f, "orderFormId")).toList());
        return body;
    }

    /**
     * The headline figures of the checkouts started in [{@code from}, {@code to}) and their abandonments and
     * recoveries per day in {@code zone} (an IANA zone such as Europe/Berlin; UTC when absent).
     */
    @GetMapping("/api/summary")
    public Map<String, Object> summary(
            @RequestParam(required = false) String from,
            @RequestParam(required = false) String to,
            @RequestParam(required = false) String zone) {
        CartQuery query = CartQuery.parse(from, to, null, null, null);
        ZoneId zoneId = zone(zone);
        CartSummary summary = new CartSummary(zoneId);
        carts.stream(query, summary::add);
        CartStats.Figures figures = summary.figures();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("from", query.from());
        body.put("to", query.to());
        body.put("zone", zoneId.getId());
        body.put("started", figures.started());
        body.put("abandoned", figures.abandoned());
        body.put("recovered", figures.recovered());
        body.put("recoveryRate", figures.recoveryRate());
        body.put("recoveredRevenue", amounts(figures.recoveredRevenue()));
        body.put("openRevenue", amounts(summary.openRevenue()));
        body.put(
                "days",
                summary.days(query.from(), query.to()).stream()
                        .map(day -> {
                            Map<String, Object> view = new LinkedHashMap<>();
                            view.put("date", day.date().toString());
                            view.put("abandoned", day.abandoned());
                            view.put("recovered", day.recovered());
                            return view;
                        })
                        .toList());
        return body;
    }

    private static ZoneId zone(String zone) {
        if (zone == null || zone.isBlank()) {
            return ZoneId.of("UTC");
        }
        try {
            return ZoneId.of(zone.trim());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException(
                    "The parameter 'zone' must be a time zone such as Europe/Berlin or UTC, not '" + zone + "'.");
        }
    }

    private static Map<String, String> amounts(Map<String, BigDecimal> amounts) {
        Map<String, String> view = new LinkedHashMap<>();
        amounts.forEach((currency, amount) -> view.put(currency, plain(amount)));
        return view;
    }

    /** One delivery's state, e.g. of a replay. */
    @GetMapping("/api/deliveries/{id}")
    public ResponseEntity<?> delivery(@PathVariable String id) {
        return jdbc.sql("""
                        select id, event_id, connector, status, attempts, step, replay_of, last_error
                        from delivery where id = ?""")
                .param(id)
                .query((rs, n) -> {
                    Map<String, Object> view = new LinkedHashMap<>();
                    view.put("id", rs.getString("id"));
                    view.put("eventId", rs.getString("event_id"));
                    view.put("connector", rs.getString("connector"));
                    view.put("status", rs.getString("status"));
                    view.put("attempts", rs.getInt("attempts"));
                    view.put("step", rs.getInt("step"));
                    view.put("replayOf", rs.getString("replay_of"));
                    view.put("lastError", rs.getString("last_error"));
                    return view;
                })
                .optional()
                .<ResponseEntity<?>>map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.status(HttpStatus.NOT_FOUND)
                        .body(ProblemDetail.forStatusAndDetail(
                                HttpStatus.NOT_FOUND, "There is no delivery with id '" + id + "'.")));
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new IllegalArgumentException("The parameter '" + name + "' must be a whole number from " + min + " to "
                + max + ", not '" + value + "'.");
    }

    private static Map<String, Object> view(CartRow row) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", row.id());
        view.put("source", row.source());
        view.put("checkoutId", row.checkoutId());
        view.put("email", row.email());
        view.put("firstName", row.firstName());
        view.put("lastName", row.lastName());
        view.put("status", row.status());
        view.put("startedAt", row.startedAt());
        view.put("abandonedAt", row.abandonedAt());
        view.put("closedAt", row.closedAt());
        view.put("orderFormId", row.orderFormId());
        view.put("currency", row.currency());
        view.put("total", plain(row.total()));
        view.put("products", row.products());
        view.put(
                "items",
                row.items().stream()
                        .map(item -> {
                            Map<String, String> product = new LinkedHashMap<>();
                            product.put("productId", item.id());
                            product.put("name", item.name());
                            return product;
                        })
                        .toList());
        view.put(
                "recovered",
                row.recoveredAmount() == null
                        ? null
                        : Map.of(
                                "amount",
                                plain(row.recoveredAmount()),
                                "currency",
                                row.recoveredCurrency() == null ? CartStats.NO_CURRENCY : row.recoveredCurrency()));
        return view;
    }

    private static List<String> csv(CartRow row) {
        return new ArrayList<>(Arrays.asList(
                row.id(),
                row.source(),
                row.checkoutId(),
                row.email(),
                row.firstName(),
                row.lastName(),
                row.status(),
                text(row.startedAt()),
                text(row.abandonedAt()),
                text(row.closedAt()),
                row.orderFormId(),
                row.currency(),
                plain(row.total()),
                String.join(";", row.products()),
                plain(row.recoveredAmount()),
                row.recoveredCurrency()));
    }

    private static Map<String, Object> figures(CartStats.Figures figures, String keyName) {
        Map<String, Object> view = new LinkedHashMap<>();
        if (keyName != null) {
            view.put("source", figures.source());
            view.put(keyName, figures.key());
        }
        view.put("started", figures.started());
        view.put("pending", figures.pending());
        view.put("abandoned", figures.abandoned());
        view.put("recovered", figures.recovered());
        view.put("converted", figures.converted());
        view.put("other", figures.other());
        view.put("conversionRate", figures.conversionRate());
        view.put("recoveryRate", figures.recoveryRate());
        view.put("recoveredRevenue", amounts(figures.recoveredRevenue()));
        return view;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String plain(BigDecimal amount) {
        return amount == null ? null : amount.toPlainString();
    }
}
