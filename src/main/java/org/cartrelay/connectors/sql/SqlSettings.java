package org.cartrelay.connectors.sql;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of {@code type: sql}: {@code columns} maps each column to its cart field, in the file's order; without a
 * {@code datasource}, the hub's own database.
 */
public record SqlSettings(Datasource datasource, String table, Map<String, String> columns, String key) {

    public SqlSettings {
        columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
    }

    /** Another database to write to. */
    public record Datasource(String url, String username, String password) {}
}
