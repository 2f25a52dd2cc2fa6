package org.cartrelay.store;

import java.util.Collections;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Rows go in multi-row {@code values} lists of up to 100 rows, where a JDBC batch would send and run one statement
 * per row.
 */
final class H2BulkInsert implements BulkInsert {

    /** Rows per multi-row insert. */
    private static final int ROWS_PER_INSERT = 100;

    private final JdbcTemplate jdbc;

    H2BulkInsert(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public <T> void insertAll(String table, List<Db.Column<T>> columns, List<T> rows) {
        String into = Db.into(table, columns);
        String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            jdbc.update(into + " values " + String.join(", ", Collections.nCopies(chunk.size(), row)), ps -> {
                for (int i = 0; i < chunk.size(); i++) {
                    Db.setRow(ps, i * columns.size() + 1, columns, chunk.get(i));
                }
            });
        }
    }
}
