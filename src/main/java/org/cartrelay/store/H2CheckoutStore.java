package org.cartrelay.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The checkouts on H2: keys as lists of placeholders, batches as JDBC batches. */
class H2CheckoutStore extends CheckoutStore {

    /** Refs or buyers per part of {@link #find}'s statements. */
    private static final int KEYS_PER_PART = 500;
    /** Parts per statement of {@link #find}. */
    private static final int PARTS_PER_STATEMENT = 2;

    /** The newest checkouts of some of one source's refs: the refs go in {@code %s}. */
    private static final String FIND_BY_REFS =
            "select 'ref' as found_by, " + COLUMNS + " from checkout where source = ? and checkout_ref in (%s)";
    /** Some buyers' pending checkouts: the buyers go in {@code %s}. */
    private static final String FIND_PENDING_OF_BUYERS =
            "select 'buyer' as found_by, " + COLUMNS + " from checkout where email in (%s) and status = 'pending'";

    private static final String SUPERSEDE_OTHERS = """
            update checkout set status = 'superseded', closed_at = ?, updated_at = ?
            where email = ? and status = 'pending' and id <> ?""";
    private static final String MARK_ABANDONED = """
            update checkout set status = 'abandoned', abandoned_at = ?, updated_at = ?, abandoned_event_id = ?
            where id = ? and status = 'pending' and due_at <= ?""";
    private static final String ABANDONED_EVENT_ID = "select abandoned_event_id from checkout where id = ?";

    H2CheckoutStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        super(jdbc, jdbcTemplate, bulk);
    }

    /** Lists of up to 500 keys, two lists a statement. */
    @Override
    public CheckoutsFound find(CheckoutKeys keys) {
        List<String> parts = new ArrayList<>();
        List<List<Object>> partParams = new ArrayList<>();
        keys.refsBySource()
                .forEach((source, refs) -> chunks(refs).forEach(chunk -> {
                    parts.add(FIND_BY_REFS.formatted(placeholders(chunk.size())));
                    List<Object> params = new ArrayList<>();
                    params.add(source);
                    params.addAll(chunk);
                    partParams.add(params);
                }));
        chunks(keys.emails()).forEach(chunk -> {
            parts.add(FIND_PENDING_OF_BUYERS.formatted(placeholders(chunk.size())));
            partParams.add(new ArrayList<>(chunk));
        });
        CheckoutsFound.Collector found = new CheckoutsFound.Collector(keys);
        for (int from = 0; from < parts.size(); from += PARTS_PER_STATEMENT) {
            int to = Math.min(parts.size(), from + PARTS_PER_STATEMENT);
            List<Object> params = new ArrayList<>();
            partParams.subList(from, to).forEach(params::addAll);
            jdbc.sql(String.join(" union all ", parts.subList(from, to)))
                    .params(params)
                    .query(found::add);
        }
        return found.found();
    }

    private static List<List<String>> chunks(java.util.Collection<String> keys) {
        List<String> all = List.copyOf(keys);
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += KEYS_PER_PART) {
            chunks.add(all.subList(from, Math.min(all.size(), from + KEYS_PER_PART)));
        }
        return chunks;
    }

    @Override
    int[] supersedeOthers(List<Map.Entry<String, String>> entries, Instant now) {
        return jdbcTemplate
                .batchUpdate(SUPERSEDE_OTHERS, entries, entries.size(), (ps, e) -> {
                    ps.setObject(1, Db.ts(now));
                    ps.setObject(2, Db.ts(now));
                    ps.setString(3, e.getKey());
                    ps.setString(4, e.getValue());
                })[0];
    }

    /** H2 is embedded: the timer's is the only instance. */
    @Override
    public List<CheckoutRow> lockDue(List<CheckoutRow> due) {
        return due;
    }

    @Override
    public boolean[] markAbandoned(List<CheckoutRow> due, Map<String, String> eventIds, Instant now) {
        int[][] counts = jdbcTemplate.batchUpdate(MARK_ABANDONED, due, due.size(), (ps, row) -> {
            ps.setObject(1, Db.ts(now));
            ps.setObject(2, Db.ts(now));
            ps.setString(3, eventIds.get(row.id()));
            ps.setString(4, row.id());
            ps.setObject(5, Db.ts(row.dueAt()));
        });
        boolean[] marked = new boolean[due.size()];
        for (int i = 0; i < marked.length; i++) {
            String id = due.get(i).id();
            // a driver that rewrites batches answers SUCCESS_NO_INFO (-2): ask whether our event id is the one kept
            marked[i] = counts[0][i] >= 0
                    ? counts[0][i] == 1
                    : eventIds.get(id)
                            .equals(jdbc.sql(ABANDONED_EVENT_ID)
                                    .param(id)
                                    .query(String.class)
                                    .optional()
                                    .orElse(null));
        }
        return marked;
    }
}
