package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The checkouts on PostgreSQL: a batch's keys and rows go as arrays, so a statement's text and plan do not grow with
 * the batch, and each batch is one statement (the hub asks for custom plans, so PostgreSQL would plan every statement
 * of a JDBC batch).
 */
class PostgresCheckoutStore extends CheckoutStore {

    /** The newest checkouts of one source's refs; one such part per source. */
    static final String FIND_BY_REFS = "select 'ref' as found_by, " + COLUMNS
            + " from checkout where source = ? and checkout_ref = any(?::varchar[])";
    /** The buyers' pending checkouts. */
    static final String FIND_PENDING_OF_BUYERS = "select 'buyer' as found_by, " + COLUMNS
            + " from checkout where email = any(?::varchar[]) and status = 'pending'";
    /**
     * The status comes as data, as in {@link #MARK_ABANDONED}: written as a constant it would match the due index's
     * condition, and the planner could read that index whole.
     */
    private static final String SUPERSEDE_OTHERS = """
            update checkout c set status = 'superseded', closed_at = ?, updated_at = ?
            from unnest(?::varchar[], ?::varchar[], ?::varchar[]) as v(email, keep_id, status)
            where c.email = v.email and c.status = v.status and c.id <> v.keep_id
            returning v.email""";
    /**
     * The status and due time each checkout was read with come as data: written as constants they match the due
     * index's condition, and PostgreSQL, which counts few pending checkouts, could read all of that index (every
     * abandoned checkout's entry until vacuum) for a hash join instead of looking the ids up.
     */
    private static final String MARK_ABANDONED = """
            update checkout c set status = 'abandoned', abandoned_at = ?, updated_at = ?,
                                  abandoned_event_id = v.event_id
            from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::timestamptz[])
                 as v(id, event_id, status, due_at)
            where c.id = v.id and c.status = v.status and c.due_at <= v.due_at
            returning c.id""";

    /** The due checkouts still pending that no other transaction holds; locked until this one ends. */
    private static final String LOCK_DUE =
            "select id from checkout where id = any(?::varchar[]) and status = 'pending'" + " for update skip locked";

    PostgresCheckoutStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        super(jdbc, jdbcTemplate, bulk);
    }

    @Override
    public List<CheckoutRow> lockDue(List<CheckoutRow> due) {
        if (due.isEmpty()) {
            return due;
        }
        Set<String> locked = new HashSet<>(jdbcTemplate.query(
                LOCK_DUE, ps -> setVarchars(ps, 1, due, CheckoutRow::id), (rs, n) -> rs.getString(1)));
        return locked.size() == due.size()
                ? due
                : due.stream().filter(row -> locked.contains(row.id())).toList();
    }

    /** One statement: a part per source's refs and one for the buyers, each row's {@code found_by} saying which. */
    @Override
    public CheckoutsFound find(CheckoutKeys keys) {
        if (keys.isEmpty()) {
            return new CheckoutsFound(keys, Map.of(), Map.of());
        }
        CheckoutsFound.Collector found = new CheckoutsFound.Collector(keys);
        jdbc.sql(findSql(keys)).params(findParams(keys)).query(found::add);
        return found.found();
    }

    /** {@link #find}'s statement, also sent in the intake's notice insert ({@link PostgresNoticeStore}). */
    static String findSql(CheckoutKeys keys) {
        List<String> parts = new ArrayList<>(keys.refsBySource().size() + 1);
        keys.refsBySource().forEach((source, refs) -> parts.add(FIND_BY_REFS));
        if (!keys.emails().isEmpty()) {
            parts.add(FIND_PENDING_OF_BUYERS);
        }
        return String.join(" union all ", parts);
    }

    /** {@link #findSql}'s parameters, in order. */
    static List<Object> findParams(CheckoutKeys keys) {
        List<Object> params = new ArrayList<>();
        keys.refsBySource().forEach((source, refs) -> {
            params.add(source);
            params.add(refs.toArray(String[]::new));
        });
        if (!keys.emails().isEmpty()) {
            params.add(keys.emails().toArray(String[]::new));
        }
        return params;
    }

    @Override
    int[] supersedeOthers(List<Map.Entry<String, String>> entries, Instant now) {
        Map<String, Integer> superseded = new HashMap<>();
        jdbcTemplate.query(
                SUPERSEDE_OTHERS,
                ps -> {
                    ps.setObject(1, Db.ts(now));
                    ps.setObject(2, Db.ts(now));
                    setVarchars(ps, 3, entries, Map.Entry::getKey);
                    setVarchars(ps, 4, entries, Map.Entry::getValue);
                    setVarchars(ps, 5, entries, e -> CheckoutStatus.PENDING.column());
                },
                (ResultSet rs) -> {
                    superseded.merge(rs.getString(1), 1, Integer::sum);
                });
        return entries.stream()
                .mapToInt(e -> superseded.getOrDefault(e.getKey(), 0))
                .toArray();
    }

    @Override
    public boolean[] markAbandoned(List<CheckoutRow> due, Map<String, String> eventIds, Instant now) {
        Set<String> marked = new HashSet<>(jdbcTemplate.query(
                MARK_ABANDONED,
                ps -> {
                    ps.setObject(1, Db.ts(now));
                    ps.setObject(2, Db.ts(now));
                    setVarchars(ps, 3, due, CheckoutRow::id);
                    setVarchars(ps, 4, due, row -> eventIds.get(row.id()));
                    setVarchars(ps, 5, due, row -> CheckoutStatus.PENDING.column());
                    ps.setArray(
                            6,
                            PostgresBulkInsert.array(
                                    ps.getConnection(),
                                    "timestamptz",
                                    due.stream().map(row -> Db.ts(row.dueAt())).toArray()));
                },
                (rs, n) -> rs.getString(1)));
        boolean[] result = new boolean[due.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = marked.contains(due.get(i).id());
        }
        return result;
    }

    /** Binds parameter {@code index} to the array of each row's value, one element per row. */
    private static <T> void setVarchars(PreparedStatement ps, int index, List<T> rows, Function<T, String> value)
            throws SQLException {
        ps.setArray(
                index,
                PostgresBulkInsert.array(
                        ps.getConnection(), "varchar", rows.stream().map(value).toArray()));
    }
}
