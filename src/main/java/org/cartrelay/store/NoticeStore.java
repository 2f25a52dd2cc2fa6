package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Received notifications; the unique (source, source_event_id) constraint is what makes intake idempotent. */
@Repository
public class NoticeStore {

    private static final String INSERT = """
            insert into notice (id, source, source_event_id, received_at, event_type, email, raw_body, canonical,
                                outcome, reason)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    public NoticeStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
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
        int[] counts = jdbcTemplate.batchUpdate(INSERT + " on conflict do nothing", new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Row row = rows.get(i);
                ps.setString(1, row.id());
                ps.setString(2, row.source());
                ps.setString(3, Db.clip(row.sourceEventId(), 255));
                ps.setObject(4, Db.ts(row.receivedAt()));
                ps.setString(5, row.eventType());
                ps.setString(6, row.email());
                ps.setString(7, row.rawBody());
                ps.setString(8, row.canonical());
                ps.setString(9, row.outcome());
                ps.setString(10, Db.clip(row.reason(), 1000));
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

    public Optional<String> findId(String source, String sourceEventId) {
        return jdbc.sql("select id from notice where source = ? and source_event_id = ?")
                .params(source, Db.clip(sourceEventId, 255))
                .query(String.class)
                .optional();
    }
}
