package org.cartrelay.testing;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Searches every text column of every table of a test database for an email address, as given, in any letter case
 * and form-encoded ({@code %40}), with its own JDBC connection and the database's own catalogue, independent of the
 * hub's code.
 */
public final class PersonalData {

    private PersonalData() {}

    /** Every {@code table.column: value} that holds the address in one of its stored forms. */
    public static List<String> find(TestDatabase database, String email) {
        String lower = email.toLowerCase(Locale.ROOT);
        Set<String> forms = new LinkedHashSet<>(List.of(
                lower,
                lower.replace("@", "%40"),
                URLEncoder.encode(lower, StandardCharsets.UTF_8).toLowerCase(Locale.ROOT)));
        List<String> found = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.url(), database.user(), "")) {
            DatabaseMetaData meta = connection.getMetaData();
            String schema = connection.getSchema();
            List<String[]> columns = new ArrayList<>();
            try (ResultSet rs = meta.getColumns(null, schema, "%", "%")) {
                while (rs.next()) {
                    int type = rs.getInt("DATA_TYPE");
                    if (type == Types.VARCHAR
                            || type == Types.CHAR
                            || type == Types.LONGVARCHAR
                            || type == Types.CLOB
                            || type == Types.NVARCHAR
                            || type == Types.NCHAR) {
                        columns.add(new String[] {rs.getString("TABLE_NAME"), rs.getString("COLUMN_NAME")});
                    }
                }
            }
            if (columns.isEmpty()) {
                throw new AssertionError(
                        "No text columns found in schema " + schema + "; the search would prove nothing");
            }
            for (String[] column : columns) {
                for (String form : forms) {
                    try (PreparedStatement query = connection.prepareStatement("select " + column[1] + " from "
                            + column[0] + " where position(? in lower(" + column[1] + ")) > 0")) {
                        query.setString(1, form);
                        try (ResultSet rs = query.executeQuery()) {
                            while (rs.next()) {
                                found.add(column[0] + "." + column[1] + ": " + rs.getString(1));
                            }
                        }
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return found;
    }

    /** The tables of the test database's schema, lower-cased. */
    public static List<String> tables(TestDatabase database) {
        List<String> tables = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(database.url(), database.user(), "");
                ResultSet rs =
                        connection.getMetaData().getTables(null, connection.getSchema(), "%", new String[] {"TABLE"})) {
            while (rs.next()) {
                tables.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return tables;
    }
}
