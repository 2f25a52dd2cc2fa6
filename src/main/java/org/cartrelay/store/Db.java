package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;

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
        forEachInsert(into, columns, rows, (sql, chunk) -> jdbc.update(sql, ps -> setAll(ps, columns, chunk, setter)));
    }

    /**
     * The same with a {@code suffix} that returns one column (PostgreSQL's {@code on conflict … returning …}).
     *
     * @return what the statements returned
     */
    static <T> List<String> insertAllReturning(JdbcTemplate jdbc, String into, int columns, List<T> rows,
            RowSetter<T> setter, String suffix) {
        List<String> returned = new ArrayList<>(rows.size());
        forEachInsert(into, columns, rows, (sql, chunk) -> returned.addAll(jdbc.query(sql + " " + suffix,
                ps -> setAll(ps, columns, chunk, setter), (rs, n) -> rs.getString(1))));
        return returned;
    }

    /** The multi-row insert statement of each chunk of up to 100 rows, and the chunk. */
    private static <T> void forEachInsert(String into, int columns, List<T> rows, BiConsumer<String, List<T>> insert) {
        String row = "(" + String.join(", ", Collections.nCopies(columns, "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            insert.accept(into + " values " + String.join(", ", Collections.nCopies(chunk.size(), row)), chunk);
        }
    }

    private static <T> void setAll(PreparedStatement ps, int columns, List<T> chunk, RowSetter<T> setter)
            throws SQLException {
        for (int i = 0; i < chunk.size(); i++) {
            setter.set(ps, i * columns + 1, chunk.get(i));
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
