package org.cartrelay.store;

import java.util.List;

/**
 * Inserts many rows of one table in as few statements as the database allows: {@link PostgresBulkInsert} on
 * PostgreSQL, {@link H2BulkInsert} on H2, chosen at start-up by {@link StoreConfiguration}.
 */
interface BulkInsert {

    <T> void insertAll(String table, List<Db.Column<T>> columns, List<T> rows);
}
