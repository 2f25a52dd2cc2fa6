package org.cartrelay.store;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * All rows in one statement that takes each column as an array ({@code insert … select * from unnest(…)}): its text
 * is the same for any number of rows, so the driver prepares it once, and PostgreSQL plans a dozen parameters
 * instead of one per value. The PostgreSQL stores join their batches to statements the same way.
 */
final class PostgresBulkInsert implements BulkInsert {

    private final JdbcTemplate jdbc;

    PostgresBulkInsert(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public <T> void insertAll(String table, List<Db.Column<T>> columns, List<T> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbc.update(insertFromArrays(table, columns), ps -> setArrays(ps, 1, columns, rows));
    }

    /** {@code insert into table (columns…) select * from unnest(…)}: all rows in one statement, each column an array. */
    static <T> String insertFromArrays(String table, List<Db.Column<T>> columns) {
        return Db.into(table, columns) + " select * from " + unnest(columns, "r");
    }

    /** {@code unnest(?::type[], …) as alias(name, …)}: the rows joined to a statement, each column an array. */
    static <T> String unnest(List<Db.Column<T>> columns, String alias) {
        return "unnest(" + columns.stream().map(c -> "?::" + c.type() + "[]").collect(Collectors.joining(", "))
                + ") as " + alias + "(" + columns.stream().map(Db.Column::name).collect(Collectors.joining(", "))
                + ")";
    }

    /** Sets each column's values as one array, the first column at parameter {@code first}. */
    static <T> void setArrays(PreparedStatement ps, int first, List<Db.Column<T>> columns, List<T> rows)
            throws SQLException {
        for (int c = 0; c < columns.size(); c++) {
            Db.Column<T> column = columns.get(c);
            ps.setArray(
                    first + c,
                    array(
                            ps.getConnection(),
                            column.type(),
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
}
