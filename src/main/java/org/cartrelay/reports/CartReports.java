package org.cartrelay.reports;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.sql.DataSource;

import org.cartrelay.event.EventJson;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads checkouts for the reports: a page of them, or all that match streamed row by row (a cursor on PostgreSQL,
 * so a report of any size never sits in memory whole). The recovered amount comes from the checkout's
 * {@code checkout.recovered} event, the only place the hub keeps what the buyer paid.
 */
@Repository
public class CartReports {

    private static final int FETCH_SIZE = 500;

    private static final String SELECT = """
            select c.id, c.source, c.checkout_ref, c.email, c.status, c.started_at, c.abandoned_at, c.closed_at,
                   c.started_event, r.payload as recovered_event
            from checkout c
            left join outbound_event r on r.checkout_id = c.id and r.type = 'checkout.recovered'
            """;

    private final JdbcTemplate jdbc;
    private final JdbcTemplate streaming;
    private final TransactionTemplate readOnly;

    public CartReports(DataSource dataSource, PlatformTransactionManager transactions) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.streaming = new JdbcTemplate(dataSource);
        this.streaming.setFetchSize(FETCH_SIZE);
        this.readOnly = new TransactionTemplate(transactions);
        this.readOnly.setReadOnly(true);
    }

    public record Page(List<CartRow> items, long total) {}

    /** The matching checkouts, newest first. */
    public Page page(CartQuery query, int offset, int limit) {
        Where where = where(query);
        long total =
                jdbc.queryForObject("select count(*) from checkout c" + where.sql, Long.class, where.params.toArray());
        List<Object> params = new ArrayList<>(where.params);
        params.add(limit);
        params.add(offset);
        List<CartRow> items = jdbc.query(
                SELECT + where.sql + " order by c.started_at desc, c.id desc limit ? offset ?",
                CartReports::row,
                params.toArray());
        return new Page(items, total);
    }

    /** Hands every matching checkout, newest first, to {@code sink} as it is read. */
    public void stream(CartQuery query, Consumer<CartRow> sink) {
        Where where = where(query);
        // PostgreSQL fetches with a cursor only inside a transaction
        readOnly.executeWithoutResult(status -> streaming.query(
                SELECT + where.sql + " order by c.started_at desc, c.id desc",
                (RowCallbackHandler) rs -> sink.accept(row(rs, 0)),
                where.params.toArray()));
    }

    /**
     * What became of a checkout's events at one connector: one delivery (per step), its status and, when it was
     * suppressed, cancelled or died, why. A replayed dead letter is left out for the delivery that replays it.
     */
    public record Delivery(
            String id,
            String event,
            String connector,
            int step,
            String status,
            String reason,
            int attempts,
            Instant at) {}

    /** The deliveries of these checkouts' events, by checkout id, oldest event first. */
    public Map<String, List<Delivery>> deliveries(Collection<String> checkoutIds) {
        Map<String, List<Delivery>> byCheckout = new HashMap<>();
        if (checkoutIds.isEmpty()) {
            return byCheckout;
        }
        jdbc.query(
                """
                select e.checkout_id, e.type, d.id, d.connector, d.step, d.status, d.last_error, d.attempts,
                       coalesce(d.delivered_at, d.dead_at, d.created_at) as at
                from delivery d join outbound_event e on e.id = d.event_id
                where d.status <> 'replayed' and e.checkout_id in (%s)
                order by e.created_at, e.id, d.connector, d.step, d.created_at""".formatted("?, ".repeat(checkoutIds.size() - 1) + "?"),
                (RowCallbackHandler) rs -> byCheckout
                        .computeIfAbsent(rs.getString("checkout_id"), k -> new ArrayList<>())
                        .add(new Delivery(
                                rs.getString("id"),
                                rs.getString("type"),
                                rs.getString("connector"),
                                rs.getInt("step"),
                                rs.getString("status"),
                                "delivered".equals(rs.getString("status")) ? null : rs.getString("last_error"),
                                rs.getInt("attempts"),
                                instant(rs, "at"))),
                checkoutIds.toArray());
        return byCheckout;
    }

    private record Where(String sql, List<Object> params) {}

    private static Where where(CartQuery query) {
        StringBuilder sql = new StringBuilder(" where 1 = 1");
        List<Object> params = new ArrayList<>();
        if (query.from() != null) {
            sql.append(" and c.started_at >= ?");
            params.add(ts(query.from()));
        }
        if (query.to() != null) {
            sql.append(" and c.started_at < ?");
            params.add(ts(query.to()));
        }
        if (query.email() != null) {
            sql.append(" and c.email = ?");
            params.add(query.email());
        }
        if (query.product() != null) {
            // product_ref is the first item; the stored event names every item in its canonical JSON form
            sql.append(" and (c.product_ref = ? or c.started_event like ? escape '!')");
            params.add(query.product());
            params.add("%\"productId\":" + likeEscaped(EventJson.write(query.product())) + "%");
        }
        if (!query.statuses().isEmpty()) {
            sql.append(" and c.status in (")
                    .append("?, ".repeat(query.statuses().size() - 1))
                    .append("?)");
            params.addAll(query.statuses());
        }
        return new Where(sql.toString(), params);
    }

    private static String likeEscaped(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    private static CartRow row(ResultSet rs, int n) throws SQLException {
        JsonNode started = tree(rs.getString("started_event"));
        JsonNode checkout = started.path("checkout");
        JsonNode customer = started.path("customer");
        List<String> products = new ArrayList<>();
        List<CartRow.Product> items = new ArrayList<>();
        for (JsonNode item : checkout.path("items")) {
            String product = text(item.path("productId"));
            if (product != null && !products.contains(product)) {
                products.add(product);
                items.add(new CartRow.Product(product, text(item.path("name"))));
            }
        }
        String currency = text(checkout.path("currency"));
        BigDecimal total = decimal(checkout.path("total"));
        BigDecimal recoveredAmount = null;
        String recoveredCurrency = null;
        String recoveredEvent = rs.getString("recovered_event");
        if (recoveredEvent != null) {
            JsonNode recovery = tree(recoveredEvent).path("recovery");
            recoveredAmount = decimal(recovery.path("amount"));
            recoveredCurrency = text(recovery.path("currency"));
            if (recoveredAmount == null) {
                // an order that named no amount: it paid for the checkout as started
                recoveredAmount = total;
                recoveredCurrency = currency;
            } else if (recoveredCurrency == null) {
                recoveredCurrency = currency;
            }
        }
        return new CartRow(
                rs.getString("id"),
                rs.getString("source"),
                rs.getString("checkout_ref"),
                rs.getString("email"),
                text(customer.path("firstName")),
                text(customer.path("lastName")),
                rs.getString("status"),
                instant(rs, "started_at"),
                instant(rs, "abandoned_at"),
                instant(rs, "closed_at"),
                text(checkout.path("orderFormId")),
                currency,
                total,
                products,
                items,
                recoveredAmount,
                recoveredCurrency);
    }

    private static JsonNode tree(String json) {
        try {
            return json == null ? EventJson.MAPPER.missingNode() : EventJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return EventJson.MAPPER.missingNode();
        }
    }

    private static String text(JsonNode node) {
        return node.isValueNode() && !node.isNull() ? node.asText() : null;
    }

    private static BigDecimal decimal(JsonNode node) {
        String text = text(node);
        if (text == null) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
