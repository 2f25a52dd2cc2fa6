package org.cartrelay.store;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Data protection in the database: erasing every row that holds one email address, and purging rows past the
 * retention period. Both read the schema's own description (tables, text columns, foreign keys), so columns and
 * tables added later are searched and their rows referring to a deleted row go with it.
 */
@Repository
public class PrivacyStore {

    /** Tables whose rows are about one buyer and are deleted whole when they hold the address. */
    private static final List<String> BUYER_TABLES = List.of("notice", "checkout", "outbound_event");

    private static final Set<String> HUB_TABLES =
            Set.of("notice", "checkout", "outbound_event", "delivery", "delivery_attempt");
    private static final Set<Integer> TEXT_TYPES = Set.of(
            Types.VARCHAR,
            Types.CHAR,
            Types.LONGVARCHAR,
            Types.CLOB,
            Types.NVARCHAR,
            Types.NCHAR,
            Types.LONGNVARCHAR,
            Types.NCLOB);
    private static final int CHUNK = 500;
    private static final String ERASED = "[erased]";

    private final JdbcTemplate jdbc;

    public PrivacyStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * The ways an address is stored: as given and lower-cased (compared case-insensitively), and form-encoded as raw
     * form bodies hold it ({@code %40} for {@code @}, and every other reserved character encoded, or only the
     * {@code @}).
     */
    public static List<String> storedForms(String email) {
        String lower = email.strip().toLowerCase(Locale.ROOT);
        Set<String> forms = new LinkedHashSet<>();
        forms.add(lower);
        forms.add(URLEncoder.encode(lower, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT));
        forms.add(lower.replace("@", "%40"));
        return List.copyOf(forms);
    }

    /**
     * Deletes every notice, checkout and outbound event that holds the address in any text column, with the
     * deliveries (dead letters included) and attempts of those events and any other table's rows that refer to
     * them; the address is then blanked wherever else it still stands (an attempt's response of another buyer's
     * delivery, say). An entry of the suppression list keeps its hash and loses the address: the buyer stays
     * unsubscribed.
     *
     * @return rows removed (or values blanked) per kind
     */
    @Transactional
    public Map<String, Integer> erase(String email) {
        Schema schema = schema();
        List<String> forms = storedForms(email);
        String lower = forms.get(0);
        Map<String, Integer> counts = new LinkedHashMap<>();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (String table : BUYER_TABLES) {
            List<Object> params = new ArrayList<>();
            params.add(lower);
            StringBuilder condition = new StringBuilder("lower(email) = ?");
            for (String column : schema.textColumns().getOrDefault(table, List.of())) {
                condition.append(" or ").append(like(column, forms.size()));
                forms.forEach(form -> params.add(pattern(form)));
            }
            ids.put(
                    table,
                    jdbc.queryForList(
                            "select id from " + table + " where " + condition, String.class, params.toArray()));
        }
        Set<String> events = new LinkedHashSet<>(ids.get("outbound_event"));
        for (List<String> chunk : chunks(ids.get("checkout"))) {
            events.addAll(jdbc.queryForList(
                    "select id from outbound_event where checkout_id in (" + marks(chunk) + ")",
                    String.class,
                    chunk.toArray()));
        }
        int other = 0;
        List<String> deliveries = new ArrayList<>();
        int dead = 0;
        for (List<String> chunk : chunks(events)) {
            for (Map<String, Object> row : jdbc.queryForList(
                    "select id, status from delivery where event_id in (" + marks(chunk) + ")", chunk.toArray())) {
                deliveries.add((String) row.get("id"));
                if ("dead".equals(row.get("status")) || "replayed".equals(row.get("status"))) {
                    dead++;
                }
            }
        }
        other += deleteReferring(schema, "delivery", deliveries);
        counts.put("deliveryAttempts", delete("delivery_attempt", "delivery_id", deliveries));
        int deletedDeliveries = delete("delivery", "id", deliveries);
        other += deleteReferring(schema, "outbound_event", events);
        counts.put("outboundEvents", delete("outbound_event", "id", events));
        counts.put("deliveries", deletedDeliveries - dead);
        counts.put("deadLetters", dead);
        for (String table : List.of("checkout", "notice")) {
            other += deleteReferring(schema, table, ids.get(table));
            counts.put(table.equals("notice") ? "notices" : "checkouts", delete(table, "id", ids.get(table)));
        }
        // an unsubscribed buyer stays unsubscribed: their entry keeps its hash (the key), loses the address
        int blanked = jdbc.update("update suppression set email = null where lower(email) = ?", lower);
        for (String table : schema.textColumns().keySet()) {
            if (BUYER_TABLES.contains(table)) {
                continue;
            }
            for (String column : schema.textColumns().get(table)) {
                if (schema.isKey(table, column)) {
                    continue; // a key is the hub's own id, never an address
                }
                blanked += jdbc.update(
                        "update " + table + " set " + column + " = ? where " + like(column, forms.size()),
                        params(ERASED, forms).toArray());
            }
        }
        counts.put("redacted", blanked);
        counts.put("other", other);
        return counts;
    }

    /** What one purge removed, per kind. */
    public record PurgeCounts(
            int notices, int checkouts, int outboundEvents, int deliveries, int deliveryAttempts, int other) {

        public int total() {
            return notices + checkouts + outboundEvents + deliveries + deliveryAttempts + other;
        }
    }

    /**
     * Deletes up to {@code limit} of each kind of row older than the cutoff: notices by receipt, checkouts that are
     * no longer pending by their last change, and outbound events by creation once none of their deliveries is still
     * waiting or in flight (their deliveries, dead letters included, and attempts go with them), and the ticket ids
     * that ticket connectors keep in {@code connector_ref}.
     */
    @Transactional
    public PurgeCounts purge(Instant cutoff, int limit) {
        Schema schema = schema();
        List<String> notices = jdbc.queryForList(
                "select id from notice where received_at < ? order by received_at" + " limit ?",
                String.class,
                Db.ts(cutoff),
                limit);
        List<String> checkouts = jdbc.queryForList(
                "select id from checkout where status <> 'pending'" + " and updated_at < ? order by updated_at limit ?",
                String.class,
                Db.ts(cutoff),
                limit);
        List<String> events = jdbc.queryForList("""
                select e.id from outbound_event e where e.created_at < ?
                  and not exists (select 1 from delivery d where d.event_id = e.id and d.status = 'pending')
                order by e.created_at limit ?""", String.class, Db.ts(cutoff), limit);
        List<String> deliveries = new ArrayList<>();
        for (List<String> chunk : chunks(events)) {
            deliveries.addAll(jdbc.queryForList(
                    "select id from delivery where event_id in (" + marks(chunk) + ")", String.class, chunk.toArray()));
        }
        int other = deleteReferring(schema, "delivery", deliveries);
        int attempts = delete("delivery_attempt", "delivery_id", deliveries);
        int deletedDeliveries = delete("delivery", "id", deliveries);
        other += deleteReferring(schema, "outbound_event", events);
        int deletedEvents = delete("outbound_event", "id", events);
        other += deleteReferring(schema, "checkout", checkouts);
        int deletedCheckouts = delete("checkout", "id", checkouts);
        other += deleteReferring(schema, "notice", notices);
        int deletedNotices = delete("notice", "id", notices);
        // the ticket ids ticket connectors keep per checkout (no personal data, but no use after retention either)
        other += jdbc.update("delete from connector_ref where created_at < ?", Db.ts(cutoff));
        return new PurgeCounts(deletedNotices, deletedCheckouts, deletedEvents, deletedDeliveries, attempts, other);
    }

    /** Deliveries the privacy policy withheld, per connector and reason, created within [from, to) when given. */
    public record Suppressed(String connector, String reason, long count) {}

    public List<Suppressed> suppressed(Instant from, Instant to) {
        List<Object> params = new ArrayList<>();
        StringBuilder sql = new StringBuilder(
                "select connector, last_error, count(*) as n from delivery" + " where status = 'suppressed'");
        if (from != null) {
            sql.append(" and created_at >= ?");
            params.add(Db.ts(from));
        }
        if (to != null) {
            sql.append(" and created_at < ?");
            params.add(Db.ts(to));
        }
        sql.append(" group by connector, last_error order by connector, last_error");
        return jdbc.query(
                sql.toString(),
                (rs, n) -> new Suppressed(rs.getString("connector"), rs.getString("last_error"), rs.getLong("n")),
                params.toArray());
    }

    private int delete(String table, String column, Collection<String> ids) {
        int deleted = 0;
        for (List<String> chunk : chunks(ids)) {
            deleted += jdbc.update(
                    "delete from " + table + " where " + column + " in (" + marks(chunk) + ")", chunk.toArray());
        }
        return deleted;
    }

    /** Rows of tables other than the hub's own that refer to these rows by a foreign key (e.g. a connector's refs). */
    private int deleteReferring(Schema schema, String table, Collection<String> ids) {
        int deleted = 0;
        for (String[] reference : schema.referring().getOrDefault(table, List.of())) {
            if (!HUB_TABLES.contains(reference[0])) {
                deleted += delete(reference[0], reference[1], ids);
            }
        }
        return deleted;
    }

    private static List<Object> params(Object first, List<String> forms) {
        List<Object> params = new ArrayList<>();
        params.add(first);
        forms.forEach(form -> params.add(pattern(form)));
        return params;
    }

    /** A LIKE pattern finding the text anywhere, with the wildcards an address may contain ({@code _}) escaped. */
    private static String pattern(String form) {
        return "%" + form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
    }

    private static String like(String column, int forms) {
        return "(" + String.join(" or ", Collections.nCopies(forms, "lower(" + column + ") like ? escape '\\'")) + ")";
    }

    private static String marks(List<String> chunk) {
        return String.join(", ", Collections.nCopies(chunk.size(), "?"));
    }

    private static List<List<String>> chunks(Collection<String> ids) {
        List<String> all = List.copyOf(ids);
        List<List<String>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += CHUNK) {
            chunks.add(all.subList(i, Math.min(all.size(), i + CHUNK)));
        }
        return chunks;
    }

    /** The current schema's tables, their text columns, key columns, and who refers to whom. */
    private record Schema(
            Map<String, List<String>> textColumns, Set<String> keys, Map<String, List<String[]>> referring) {

        boolean isKey(String table, String column) {
            return keys.contains(table + "." + column);
        }
    }

    private Schema schema() {
        return jdbc.execute((ConnectionCallback<Schema>) connection -> {
            DatabaseMetaData meta = connection.getMetaData();
            String schema = connection.getSchema();
            Map<String, List<String>> text = new LinkedHashMap<>();
            Set<String> keys = new LinkedHashSet<>();
            Map<String, List<String[]>> referring = new LinkedHashMap<>();
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = meta.getTables(null, schema, "%", new String[] {"TABLE"})) {
                while (rs.next()) {
                    String table = rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT);
                    if (!table.startsWith("flyway_")) {
                        tables.add(rs.getString("TABLE_NAME"));
                    }
                }
            }
            for (String table : tables) {
                String name = table.toLowerCase(Locale.ROOT);
                try (ResultSet rs = meta.getColumns(null, schema, table, "%")) {
                    while (rs.next()) {
                        if (TEXT_TYPES.contains(rs.getInt("DATA_TYPE"))) {
                            text.computeIfAbsent(name, t -> new ArrayList<>())
                                    .add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                        }
                    }
                }
                try (ResultSet rs = meta.getPrimaryKeys(null, schema, table)) {
                    while (rs.next()) {
                        keys.add(name + "." + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
                    }
                }
                try (ResultSet rs = meta.getImportedKeys(null, schema, table)) {
                    while (rs.next()) {
                        String column = rs.getString("FKCOLUMN_NAME").toLowerCase(Locale.ROOT);
                        keys.add(name + "." + column);
                        referring
                                .computeIfAbsent(
                                        rs.getString("PKTABLE_NAME").toLowerCase(Locale.ROOT), t -> new ArrayList<>())
                                .add(new String[] {name, column});
                    }
                }
            }
            return new Schema(text, keys, referring);
        });
    }
}
