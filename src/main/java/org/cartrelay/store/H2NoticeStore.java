package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Notices on H2: a JDBC batch of inserts, then the checkouts' lookup on its own. */
class H2NoticeStore extends NoticeStore {

    private static final String INSERT = Db.into("notice", COLUMNS) + " values ("
            + String.join(", ", Collections.nCopies(COLUMNS.size(), "?")) + ") on conflict do nothing";

    private final JdbcTemplate jdbcTemplate;
    private final CheckoutStore checkouts;

    H2NoticeStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, CheckoutStore checkouts) {
        super(jdbc);
        this.jdbcTemplate = jdbcTemplate;
        this.checkouts = checkouts;
    }

    @Override
    public Inserted insertNew(List<Row> rows, CheckoutKeys lookAlongside) {
        int[] counts = jdbcTemplate.batchUpdate(INSERT, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Db.setRow(ps, 1, COLUMNS, rows.get(i));
            }

            @Override
            public int getBatchSize() {
                return rows.size();
            }
        });
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            // a driver that rewrites batches reports no per-row count: ask which id holds the key
            if (counts[i] >= 0
                    ? counts[i] == 1
                    : findId(row.source(), row.sourceEventId())
                            .filter(row.id()::equals)
                            .isPresent()) {
                kept.add(row.id());
            }
        }
        return new Inserted(kept, checkouts.find(lookAlongside));
    }
}
