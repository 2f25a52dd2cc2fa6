package org.cartrelay.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.stream.Collectors;

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

    /**
     * A column of a multi-row insert: its name, its type as PostgreSQL names an array's elements ({@code varchar},
     * {@code integer}, {@code bigint}, {@code timestamptz}), and its value in a row.
     */
    record Column<T>(String name, String type, Function<T, Object> value) {
    }

    static <T> Column<T> column(String name, String type, Function<T, Object> value) {
        return new Column<>(name, type, value);
    }

    /**
     * Inserts the rows into {@code table} with as few statements as it can. On PostgreSQL that is one statement that
     * takes each column as an array ({@code insert … select * from unnest(…)}): its text is the same for any number
     * of rows, so the driver prepares it once, and PostgreSQL plans a dozen parameters instead of one per value
     * (a hundred deliveries' {@code values} list took 0.6 ms to plan). Elsewhere the rows go in multi-row
     * {@code values} lists of up to 100 rows, where a JDBC batch would send and run one statement per row.
     */
    static <T> void insertAll(JdbcTemplate jdbc, boolean postgres, String table, List<Column<T>> columns,
            List<T> rows) {
        forEachInsert(postgres, table, columns, rows, (sql, chunk) -> jdbc.update(sql,
                ps -> setAll(ps, postgres, columns, chunk)));
    }

    /**
     * The same with a {@code suffix} that returns one column (PostgreSQL's {@code on conflict … returning …}).
     *
     * @return what the statements returned
     */
    static <T> List<String> insertAllReturning(JdbcTemplate jdbc, boolean postgres, String table,
            List<Column<T>> columns, List<T> rows, String suffix) {
        List<String> returned = new ArrayList<>(rows.size());
        forEachInsert(postgres, table, columns, rows, (sql, chunk) -> returned.addAll(jdbc.query(sql + " " + suffix,
                ps -> setAll(ps, postgres, columns, chunk), (rs, n) -> rs.getString(1))));
        return returned;
    }

    /** The insert statement of each chunk of rows (all of them on PostgreSQL, up to 100 elsewhere), and the chunk. */
    private static <T> void forEachInsert(boolean postgres, String table, List<Column<T>> columns, List<T> rows,
            BiConsumer<String, List<T>> insert) {
        if (rows.isEmpty()) {
            return;
        }
        if (postgres) {
            insert.accept(insertFromArrays(table, columns), rows);
            return;
        }
        String into = into(table, columns);
        String row = "(" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")";
        for (int from = 0; from < rows.size(); from += ROWS_PER_INSERT) {
            List<T> chunk = rows.subList(from, Math.min(rows.size(), from + ROWS_PER_INSERT));
            insert.accept(into + " values " + String.join(", ", Collections.nCopies(chunk.size(), row)), chunk);
        }
    }

    private static <T> void setAll(PreparedStatement ps, boolean postgres, List<Column<T>> columns, List<T> chunk)
            throws SQLException {
        if (postgres) {
            setArrays(ps, 1, columns, chunk);
            return;
        }
        for (int i = 0; i < chunk.size(); i++) {
            setRow(ps, i * columns.size() + 1, columns, chunk.get(i));
        }
    }

    /** {@code insert into table (columns…) select * from unnest(…)}: all rows in one statement, each column an array. */
    static <T> String insertFromArrays(String table, List<Column<T>> columns) {
        return into(table, columns) + " select * from " + unnest(columns, "r");
    }

    /** {@code unnest(?::type[], …) as alias(name, …)}: the rows joined to a statement, each column an array. */
    static <T> String unnest(List<Column<T>> columns, String alias) {
        return "unnest(" + columns.stream().map(c -> "?::" + c.type() + "[]").collect(Collectors.joining(", "))
                + ") as " + alias + "(" + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + ")";
    }

    /** Sets each column's values as one array, the first column at parameter {@code first}. */
    static <T> void setArrays(PreparedStatement ps, int first, List<Column<T>> columns, List<T> rows)
            throws SQLException {
        for (int c = 0; c < columns.size(); c++) {
            Column<T> column = columns.get(c);
            ps.setArray(first + c, array(ps.getConnection(), column.type(),
                    rows.stream().map(column.value()).toArray()));
        }
    }

    /**
     * Values as a PostgreSQL array of {@code type}. Text and numbers go as typed Java arrays, which the driver sends in
     * binary form: an {@code Object[]} goes as a text literal, every character escaped by the driver and parsed again
     * by PostgreSQL.
     */
    static Array array(Connection connection, String type, Object[] values) throws SQLException {
        Object[] typed = switch (type) {
            case "varchar" -> Arrays.copyOf(values, values.length, String[].class);
            case "integer" -> Arrays.copyOf(values, values.length, Integer[].class);
            case "bigint" -> Arrays.copyOf(values, values.length, Long[].class);
            default -> values;
        };
        return connection.createArrayOf(type, typed);
    }

    /** Sets one row's values, its first column at parameter {@code first}. */
    static <T> void setRow(PreparedStatement ps, int first, List<Column<T>> columns, T row) throws SQLException {
        for (int c = 0; c < columns.size(); c++) {
            Column<T> column = columns.get(c);
            Object value = column.value().apply(row);
            if (value == null) {
                ps.setNull(first + c, sqlType(column.type()));
            } else {
                ps.setObject(first + c, value);
            }
        }
    }

    /** {@code insert into table (columns…)}. */
    static <T> String into(String table, List<Column<T>> columns) {
        return "insert into " + table + " (" + columns.stream().map(Column::name).collect(Collectors.joining(", "))
                + ")";
    }

    private static int sqlType(String type) {
        return switch (type) {
            case "integer" -> Types.INTEGER;
            case "bigint" -> Types.BIGINT;
            case "timestamptz" -> Types.TIMESTAMP_WITH_TIMEZONE;
            default -> Types.VARCHAR;
        };
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
