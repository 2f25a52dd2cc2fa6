package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.cartrelay.store.CheckoutStore.CheckoutRow;

/**
 * What a lookup of {@link CheckoutKeys} found: the newest checkout of each ref, by source and ref, and the ids of the
 * buyers' pending checkouts (of any source), by email. Immutable.
 */
public record CheckoutsFound(
        CheckoutKeys keys, Map<String, Map<String, CheckoutRow>> byRef, Map<String, Set<String>> pendingByEmail) {

    public static final CheckoutsFound NOTHING = new CheckoutsFound(CheckoutKeys.NONE, Map.of(), Map.of());

    public CheckoutsFound {
        Map<String, Map<String, CheckoutRow>> refs = new HashMap<>();
        byRef.forEach((source, rows) -> refs.put(source, Map.copyOf(rows)));
        byRef = Collections.unmodifiableMap(refs);
        Map<String, Set<String>> pending = new HashMap<>();
        pendingByEmail.forEach((email, ids) -> pending.put(email, Set.copyOf(ids)));
        pendingByEmail = Collections.unmodifiableMap(pending);
    }

    /** Whether this lookup looked up every one of these refs and buyers. */
    public boolean covers(CheckoutKeys wanted) {
        return keys.covers(wanted);
    }

    /** Collects a lookup's rows, each with its {@code found_by}: of each ref the newest, of each buyer every pending one. */
    static final class Collector {

        private final CheckoutKeys keys;
        private final Map<String, Map<String, CheckoutRow>> byRef = new HashMap<>();
        private final Map<String, Set<String>> pendingByEmail = new HashMap<>();

        Collector(CheckoutKeys keys) {
            this.keys = keys;
        }

        void add(ResultSet rs) throws SQLException {
            CheckoutRow row = CheckoutStore.row(rs, 0);
            if ("ref".equals(rs.getString("found_by"))) {
                byRef.computeIfAbsent(row.source(), k -> new HashMap<>())
                        .merge(
                                row.checkoutRef(),
                                row,
                                (known, other) -> other.startedAt().isAfter(known.startedAt()) ? other : known);
            } else {
                pendingByEmail
                        .computeIfAbsent(row.email(), k -> new HashSet<>())
                        .add(row.id());
            }
        }

        CheckoutsFound found() {
            return new CheckoutsFound(keys, byRef, pendingByEmail);
        }
    }
}
