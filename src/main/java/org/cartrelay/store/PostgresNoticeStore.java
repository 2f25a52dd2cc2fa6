package org.cartrelay.store;

import java.sql.Array;
import java.sql.ResultSet;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Notices on PostgreSQL: one insert, the columns as arrays, that returns the ids it kept (a JDBC batch would be
 * planned row by row, the hub asking for custom plans); with the checkouts' lookup, both in one statement.
 */
class PostgresNoticeStore extends NoticeStore {

    private static final String INSERT =
            PostgresBulkInsert.insertFromArrays("notice", COLUMNS) + " on conflict do nothing returning id";
    /**
     * The insert as a data-modifying {@code with} clause of the checkouts' lookup (in {@code %s}): the ids kept come
     * as an array on every row of the lookup (on one row of nulls when it finds nothing), and PostgreSQL runs a
     * {@code with} clause's insert to its end whatever the query reads of it.
     */
    private static final String INSERT_WITH_LOOKUP = "with kept as (" + INSERT + ")"
            + " select k.ids as kept_ids, x.* from (select array_agg(id) as ids from kept) k"
            + " left join (%s) x on true";

    private final JdbcTemplate jdbcTemplate;

    PostgresNoticeStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        super(jdbc);
        this.jdbcTemplate = jdbcTemplate;
    }

    @Override
    public Inserted insertNew(List<Row> rows, CheckoutKeys lookAlongside) {
        if (lookAlongside.isEmpty()) {
            if (rows.isEmpty()) {
                return new Inserted(Set.of(), new CheckoutsFound(lookAlongside, Map.of(), Map.of()));
            }
            Set<String> kept = new HashSet<>(jdbcTemplate.query(
                    INSERT, ps -> PostgresBulkInsert.setArrays(ps, 1, COLUMNS, rows), (rs, n) -> rs.getString(1)));
            return new Inserted(kept, new CheckoutsFound(lookAlongside, Map.of(), Map.of()));
        }
        Set<String> kept = new HashSet<>();
        CheckoutsFound.Collector found = new CheckoutsFound.Collector(lookAlongside);
        List<Object> params = PostgresCheckoutStore.findParams(lookAlongside);
        jdbcTemplate.query(
                INSERT_WITH_LOOKUP.formatted(PostgresCheckoutStore.findSql(lookAlongside)),
                ps -> {
                    PostgresBulkInsert.setArrays(ps, 1, COLUMNS, rows);
                    for (int i = 0; i < params.size(); i++) {
                        ps.setObject(COLUMNS.size() + 1 + i, params.get(i));
                    }
                },
                (ResultSet rs) -> {
                    if (kept.isEmpty()) {
                        Array ids = rs.getArray("kept_ids");
                        if (ids != null) {
                            kept.addAll(Arrays.asList((String[]) ids.getArray()));
                        }
                    }
                    if (rs.getString("found_by") != null) {
                        found.add(rs);
                    }
                });
        return new Inserted(kept, found.found());
    }
}
