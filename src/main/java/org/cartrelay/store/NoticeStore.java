package org.cartrelay.store;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Received notifications; the unique (source, source_event_id) constraint is what makes intake idempotent. */
@Repository
public class NoticeStore {

    private static final List<Db.Column<Row>> COLUMNS = List.of(
            Db.column("id", "varchar", Row::id),
            Db.column("source", "varchar", Row::source),
            Db.column("source_event_id", "varchar", row -> Db.clip(row.sourceEventId(), 255)),
            Db.column("received_at", "timestamptz", row -> Db.ts(row.receivedAt())),
            Db.column("event_type", "varchar", Row::eventType),
            Db.column("email", "varchar", Row::email),
            Db.column("raw_body", "varchar", Row::rawBody),
            Db.column("canonical", "varchar", Row::canonical),
            Db.column("outcome", "varchar", Row::outcome),
            Db.column("reason", "varchar", row -> Db.clip(row.reason(), 1000)));

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Dialect dialect;

    public NoticeStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Dialect dialect) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.dialect = dialect;
    }

    public record Row(String id, String source, String sourceEventId, Instant receivedAt, String eventType,
            String email, String rawBody, String canonical, String outcome, String reason) {
    }

    /**
     * Inserts the rows in one batch, skipping any whose (source, source event id) is already stored, including
     * a repeat earlier in the same batch.
     *
     * @return per row, whether it was inserted
     */
    public boolean[] insertNew(List<Row> rows) {
        return insertNew(rows, null);
    }

    /**
     * The same, and runs {@code alongside} (when given): on PostgreSQL in the same statement, the insert a
     * data-modifying {@code with} clause of the lookup, so a batch of the intake takes one round trip for both.
     */
    public boolean[] insertNew(List<Row> rows, CheckoutStore.Lookup alongside) {
        if (dialect.postgres() && alongside != null && !alongside.empty()) {
            return insertNewOnPostgres(rows, alongside);
        }
        boolean[] inserted = dialect.postgres() ? insertNewOnPostgres(rows) : insertNewInBatch(rows);
        if (alongside != null) {
            alongside.run();
        }
        return inserted;
    }

    private boolean[] insertNewInBatch(List<Row> rows) {
        int[] counts = jdbcTemplate.batchUpdate(Db.into("notice", COLUMNS) + " values ("
                        + String.join(", ", Collections.nCopies(COLUMNS.size(), "?")) + ") on conflict do nothing",
                new BatchPreparedStatementSetter() {
                    @Override
                    public void setValues(PreparedStatement ps, int i) throws SQLException {
                        Db.setRow(ps, 1, COLUMNS, rows.get(i));
                    }

                    @Override
                    public int getBatchSize() {
                        return rows.size();
                    }
                });
        boolean[] inserted = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            // a driver that rewrites batches reports no per-row count: ask which id holds the key
            inserted[i] = counts[i] >= 0 ? counts[i] == 1
                    : findId(row.source(), row.sourceEventId()).filter(row.id()::equals).isPresent();
        }
        return inserted;
    }

    /**
     * The same with one insert that returns the ids it kept (the columns as arrays): PostgreSQL planned each row of a
     * JDBC batch as a statement of its own (the hub asks for custom plans), 16 µs a notice.
     */
    private boolean[] insertNewOnPostgres(List<Row> rows) {
        Set<String> kept = new HashSet<>(Db.insertAllReturning(jdbcTemplate, true, "notice", COLUMNS, rows,
                "on conflict do nothing returning id"));
        return inserted(rows, kept);
    }

    /**
     * The insert and the lookup as one statement: the ids kept come as an array on every row of the lookup (on one
     * row of nulls when it finds nothing), and PostgreSQL runs a {@code with} clause's insert to its end whatever the
     * query reads of it.
     */
    private boolean[] insertNewOnPostgres(List<Row> rows, CheckoutStore.Lookup alongside) {
        Set<String> kept = new HashSet<>();
        String sql = "with kept as (" + Db.insertFromArrays("notice", COLUMNS) + " on conflict do nothing returning id)"
                + " select k.ids as kept_ids, x.* from (select array_agg(id) as ids from kept) k"
                + " left join (" + alongside.sql() + ") x on true";
        List<Object> params = alongside.params();
        jdbcTemplate.query(sql, ps -> {
            Db.setArrays(ps, 1, COLUMNS, rows);
            for (int i = 0; i < params.size(); i++) {
                ps.setObject(COLUMNS.size() + 1 + i, params.get(i));
            }
        }, (ResultSet rs) -> {
            if (kept.isEmpty()) {
                Array ids = rs.getArray("kept_ids");
                if (ids != null) {
                    kept.addAll(Arrays.asList((String[]) ids.getArray()));
                }
            }
            if (rs.getString("found_by") != null) {
                alongside.read(rs);
            }
        });
        alongside.finished();
        return inserted(rows, kept);
    }

    /** Per row, whether its id is among those the insert kept. */
    private static boolean[] inserted(List<Row> rows, Set<String> kept) {
        boolean[] inserted = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            inserted[i] = kept.contains(rows.get(i).id());
        }
        return inserted;
    }

    public Optional<String> findId(String source, String sourceEventId) {
        return jdbc.sql("select id from notice where source = ? and source_event_id = ?")
                .params(source, Db.clip(sourceEventId, 255))
                .query(String.class)
                .optional();
    }
}
