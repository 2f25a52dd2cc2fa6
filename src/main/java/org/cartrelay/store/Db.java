package org.cartrelay.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Instants go in and out of the database as UTC {@code timestamp with time zone}, on H2 and PostgreSQL alike; a
 * table's columns are named once, for the inserts that write many rows at a time ({@link BulkInsert}).
 */
final class Db {

    private Db() {}

    /**
     * A column of a multi-row insert: its name, its type as PostgreSQL names an array's elements ({@code varchar},
     * {@code integer}, {@code bigint}, {@code timestamptz}), and its value in a row.
     */
    record Column<T>(String name, String type, Function<T, Object> value) {}

    static <T> Column<T> column(String name, String type, Function<T, Object> value) {
        return new Column<>(name, type, value);
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
        return "insert into " + table + " ("
                + columns.stream().map(Column::name).collect(Collectors.joining(", ")) + ")";
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
