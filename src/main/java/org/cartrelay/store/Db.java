package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.List;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Instants go in and out of the database as UTC {@code timestamp with time zone}, on H2 and PostgreSQL alike; rows
 * are inserted many to a statement.
 */
final class Db {

    /** Rows per multi-row insert. */
    private static final int ROWS_PER_INSERT = 100;

    private Db() {
    }

    /** Sets one row's values, its first column at parameter {@code first}. */
    @FunctionalInterface
    interface RowSetter<T> {
        void set(PreparedStatement ps, int first, T row) throws SQLException;
    }

    /**
     * Inserts the rows with multi-row {@code values} lists, up to 100 rows a statement, where a JDBC batch sends and
     * executes one statement per row. {@code into} is {@code insert into table (columns…)}, with {@code columns}
     * columns.
     */
    static <T> void insertAll(JdbcTemplate jdbc, String into, int columns, List<T> rows, RowSetter<T> setter) {
        String row = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            String sql = into + " values " + String.join(", ", Collections.nCopies(chunk.size(), row));
            jdbc.update(sql, ps -> {
                for (int i = 0; i < chunk.size(); i++) {
                    setter.set(ps, i * columns + 1, chunk.get(i));
                }
            });
        }
    }

    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static String clip(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
