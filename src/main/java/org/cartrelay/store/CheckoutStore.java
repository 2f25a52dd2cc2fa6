package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Pending checkouts and their abandonment timers. The due time lives here, so a restart loses no timer. */
@Repository
public class CheckoutStore {

    public static final String PENDING = "pending";
    public static final String ABANDONED = "abandoned";
    public static final String RECOVERED = "recovered";
    public static final String CONVERTED = "converted";
    /** Replaced by a newer checkout of the same buyer before it was due; it never gets an abandoned event. */
    public static final String SUPERSEDED = "superseded";

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Dialect dialect;

    public CheckoutStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Dialect dialect) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.dialect = dialect;
    }

    public record CheckoutRow(String id, String source, String checkoutRef, String email, String productRef,
            String status, Instant startedAt, Instant dueAt, Instant abandonedAt, String abandonedEventId,
            String startedEvent) {
    }

    private static final String COLUMNS =
            "id, source, checkout_ref, email, product_ref, status, started_at, due_at, abandoned_at, abandoned_event_id,"
            + " started_event";

    /** A checkout to open, or a pending (or superseded) one to refresh with a newer notice. */
    public record Started(String id, String source, String checkoutRef, String email, String productRef, Instant now,
            Instant dueAt, String startedEvent) {
    }

    private static final List<Db.Column<Started>> STARTED = List.of(
            Db.column("id", "varchar", Started::id),
            Db.column("source", "varchar", Started::source),
            Db.column("checkout_ref", "varchar", Started::checkoutRef),
            Db.column("email", "varchar", Started::email),
            Db.column("product_ref", "varchar", Started::productRef),
            Db.column("status", "varchar", r -> PENDING),
            Db.column("started_at", "timestamptz", r -> Db.ts(r.now())),
            Db.column("updated_at", "timestamptz", r -> Db.ts(r.now())),
            Db.column("due_at", "timestamptz", r -> Db.ts(r.dueAt())),
            Db.column("started_event", "varchar", Started::startedEvent));

    /** Opens pending checkouts, with multi-row inserts. */
    public void insertPendingAll(List<Started> rows) {
        Db.insertAll(jdbcTemplate, dialect.postgres(), "checkout", STARTED, rows);
    }

    /**
     * A newer notice of the same open checkout replaces its data and restarts its timer; a superseded checkout that
     * the buyer came back to is pending again. One batched statement for any number of them, in order.
     */
    public void refreshPendingAll(List<Started> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate("""
                update checkout set status = 'pending', closed_at = null, email = ?, product_ref = ?, updated_at = ?,
                       due_at = ?, started_event = ?
                where id = ? and status in ('pending', 'superseded')""", rows, rows.size(), (ps, r) -> {
            ps.setString(1, r.email());
            ps.setString(2, r.productRef());
            ps.setObject(3, Db.ts(r.now()));
            ps.setObject(4, Db.ts(r.dueAt()));
            ps.setString(5, r.startedEvent());
            ps.setString(6, r.id());
        });
    }

    /**
     * What opening a run of checkouts needs to know: the newest checkout of each ref, by source and ref, and the ids of
     * the buyers' pending checkouts (of any source), by email.
     */
    public record Known(Map<String, Map<String, CheckoutRow>> byRef, Map<String, Set<String>> pendingByEmail) {
    }

    /** Refs or buyers per part of {@link #findForStart}'s statements on H2. */
    private static final int KEYS_PER_PART = 500;

    /**
     * The newest checkout of each of these refs (per source), and the pending checkouts of these buyers, in one
     * statement for a batch of the intake. On PostgreSQL the keys go as arrays ({@code = any(?)}), so the statement's
     * text and plan do not grow with the batch; on H2 as lists of up to 500, two lists a statement.
     */
    public Known findForStart(Map<String, ? extends Collection<String>> refsBySource, Collection<String> emails) {
        return lookup(refsBySource, emails).run();
    }

    /** {@link #findForStart}'s lookup, not run yet: alone ({@link Lookup#run}) or beside an insert of notices. */
    public Lookup lookup(Map<String, ? extends Collection<String>> refsBySource, Collection<String> emails) {
        return new Lookup(refsBySource, emails);
    }

    /**
     * What {@link #findForStart} looks up, prepared: its keys, its statement's parts, and what it found once run. On
     * PostgreSQL {@link NoticeStore#insertNew(List, Lookup)} sends it in the intake's notice insert, a round trip less
     * per batch.
     */
    public final class Lookup {

        private final Map<String, Set<String>> refsBySource = new HashMap<>();
        private final Set<String> emails = new HashSet<>();
        private final List<String> parts = new ArrayList<>();
        private final List<List<Object>> partParams = new ArrayList<>();
        private final Map<String, Map<String, CheckoutRow>> byRef = new HashMap<>();
        private final Map<String, Set<String>> pendingByEmail = new HashMap<>();
        private boolean done;

        private Lookup(Map<String, ? extends Collection<String>> refsBySource, Collection<String> emails) {
            refsBySource.forEach((source, refs) -> {
                this.refsBySource.computeIfAbsent(source, k -> new HashSet<>()).addAll(refs);
                chunks(refs).forEach(chunk -> {
                    parts.add("select 'ref' as found_by, " + COLUMNS + " from checkout where source = ?"
                            + " and checkout_ref " + anyOf(chunk));
                    List<Object> params = new ArrayList<>();
                    params.add(source);
                    params.addAll(keys(chunk));
                    partParams.add(params);
                });
            });
            emails.stream().filter(Objects::nonNull).forEach(this.emails::add);
            chunks(emails).forEach(chunk -> {
                parts.add("select 'buyer' as found_by, " + COLUMNS + " from checkout where email " + anyOf(chunk)
                        + " and status = 'pending'");
                partParams.add(keys(chunk));
            });
        }

        /** Runs it in statements of its own (one on PostgreSQL). */
        public Known run() {
            int perStatement = dialect.postgres() ? Integer.MAX_VALUE : 2;
            for (int from = 0; from < parts.size(); from += perStatement) {
                int to = (int) Math.min(parts.size(), (long) from + perStatement);
                jdbc.sql(String.join(" union all ", parts.subList(from, to)))
                        .params(params(from, to))
                        .query(this::read);
            }
            finished();
            return known();
        }

        /** Whether it looks up nothing at all. */
        boolean empty() {
            return parts.isEmpty();
        }

        /** The whole lookup as one statement (PostgreSQL): each row's {@code found_by} says what found it. */
        String sql() {
            return String.join(" union all ", parts);
        }

        /** {@link #sql}'s parameters, in order. */
        List<Object> params() {
            return params(0, parts.size());
        }

        private List<Object> params(int from, int to) {
            List<Object> params = new ArrayList<>();
            partParams.subList(from, to).forEach(params::addAll);
            return params;
        }

        /** Takes one row of the lookup: of each ref the newest checkout, of each buyer every pending one. */
        void read(ResultSet rs) throws SQLException {
            CheckoutRow row = row(rs, 0);
            if ("ref".equals(rs.getString("found_by"))) {
                byRef.computeIfAbsent(row.source(), k -> new HashMap<>()).merge(row.checkoutRef(), row,
                        (known, other) -> other.startedAt().isAfter(known.startedAt()) ? other : known);
            } else {
                pendingByEmail.computeIfAbsent(row.email(), k -> new HashSet<>()).add(row.id());
            }
        }

        /** Marks it run: what it found is complete. */
        void finished() {
            done = true;
        }

        /** What it found (once run). */
        public Known known() {
            return new Known(byRef, pendingByEmail);
        }

        /** Whether it has run and looked up every one of these refs and buyers. */
        public boolean covers(Map<String, ? extends Collection<String>> refs, Collection<String> buyers) {
            return done && refs.entrySet().stream().allMatch(e -> refsBySource.getOrDefault(e.getKey(), Set.of())
                    .containsAll(e.getValue())) && buyers.stream().filter(Objects::nonNull).allMatch(emails::contains);
        }
    }

    /** The keys in parts: all in one on PostgreSQL, up to 500 a part on H2. */
    private List<List<String>> chunks(Collection<String> keys) {
        List<String> all = keys.stream().filter(Objects::nonNull).distinct().toList();
        int size = dialect.postgres() ? Math.max(1, all.size()) : KEYS_PER_PART;
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < all.size(); from += size) {
            chunks.add(all.subList(from, Math.min(all.size(), from + size)));
        }
        return chunks;
    }

    /** The condition that a column is one of the keys: an array on PostgreSQL, a list of placeholders on H2. */
    private String anyOf(List<String> keys) {
        return dialect.postgres() ? "= any(?::varchar[])" : "in (" + placeholders(keys.size()) + ")";
    }

    /** The parameters {@link #anyOf} takes for the keys. */
    private List<Object> keys(List<String> keys) {
        return dialect.postgres() ? List.of((Object) keys.toArray(String[]::new)) : new ArrayList<>(keys);
    }

    private static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    /**
     * Marks each buyer's pending checkouts other than their newest superseded (a burst of checkouts yields one
     * abandonment), one batched statement for any number of buyers.
     *
     * @param newestByEmail each buyer's newest checkout, the one that stays pending
     * @return how many of each buyer's other checkouts were superseded, in the map's order
     */
    public int[] supersedeOthersAll(Map<String, String> newestByEmail, Instant now) {
        List<Map.Entry<String, String>> entries = List.copyOf(newestByEmail.entrySet());
        if (entries.isEmpty()) {
            return new int[0];
        }
        if (dialect.postgres()) {
            return supersedeOthersOnPostgres(entries, now);
        }
        int[][] counts = jdbcTemplate.batchUpdate("""
                update checkout set status = 'superseded', closed_at = ?, updated_at = ?
                where email = ? and status = 'pending' and id <> ?""", entries, entries.size(), (ps, e) -> {
            ps.setObject(1, Db.ts(now));
            ps.setObject(2, Db.ts(now));
            ps.setString(3, e.getKey());
            ps.setString(4, e.getValue());
        });
        return counts[0];
    }

    /**
     * The same as one statement, the buyers as arrays: PostgreSQL planned each buyer's update of a JDBC batch (the
     * hub asks for custom plans), 55 µs a notice. The status comes as data, as in {@link #markAbandonedOnPostgres}:
     * written as a constant it matched the due index's condition until V14 named the due time in it, and the planner
     * could then read that index whole.
     */
    private int[] supersedeOthersOnPostgres(List<Map.Entry<String, String>> entries, Instant now) {
        Map<String, Integer> superseded = new HashMap<>();
        jdbcTemplate.query("""
                update checkout c set status = 'superseded', closed_at = ?, updated_at = ?
                from unnest(?::varchar[], ?::varchar[], ?::varchar[]) as v(email, keep_id, status)
                where c.email = v.email and c.status = v.status and c.id <> v.keep_id
                returning v.email""", ps -> {
            java.sql.Connection connection = ps.getConnection();
            ps.setObject(1, Db.ts(now));
            ps.setObject(2, Db.ts(now));
            ps.setArray(3, Db.array(connection, "varchar", entries.stream().map(Map.Entry::getKey).toArray()));
            ps.setArray(4, Db.array(connection, "varchar", entries.stream().map(Map.Entry::getValue).toArray()));
            ps.setArray(5, Db.array(connection, "varchar", entries.stream().map(e -> PENDING).toArray()));
        }, (java.sql.ResultSet rs) -> {
            superseded.merge(rs.getString(1), 1, Integer::sum);
        });
        return entries.stream().mapToInt(e -> superseded.getOrDefault(e.getKey(), 0)).toArray();
    }

    public Optional<CheckoutRow> findByRef(String source, String checkoutRef) {
        return jdbc.sql("select " + COLUMNS + " from checkout where source = ? and checkout_ref = ?"
                        + " order by started_at desc")
                .params(source, checkoutRef)
                .query(this::row)
                .list().stream().findFirst();
    }

    /** The newest open or abandoned checkout of this buyer, for a product when one is given. */
    public Optional<CheckoutRow> findOpenByEmail(String source, String email, String productRef) {
        String sql = "select " + COLUMNS + " from checkout where source = ? and email = ?"
                + " and status in ('pending', 'abandoned')"
                + (productRef == null ? "" : " and product_ref = ?")
                + " order by started_at desc";
        JdbcClient.StatementSpec spec = jdbc.sql(sql).param(source).param(email);
        if (productRef != null) {
            spec = spec.param(productRef);
        }
        return spec.query(this::row).list().stream().findFirst();
    }

    /** This buyer's pending and abandoned checkouts of one source, newest first. */
    public List<CheckoutRow> openOfBuyer(String source, String email) {
        return jdbc.sql("select " + COLUMNS + " from checkout where source = ? and email = ?"
                        + " and status in ('pending', 'abandoned') order by started_at desc")
                .params(source, email)
                .query(this::row)
                .list();
    }

    /**
     * Pending checkouts due by {@code now}, in due order, from {@code from} on ({@code null}: from the earliest). An
     * abandoned checkout leaves its entry in the due index until the table is vacuumed, and a scan from the earliest
     * steps over every such entry; starting where the last scan ended skips them.
     */
    public List<CheckoutRow> due(Instant from, Instant now, int limit) {
        String sql = "select " + COLUMNS + " from checkout where status = 'pending'"
                + (from == null ? "" : " and due_at >= ?") + " and due_at <= ? order by due_at limit ?";
        return (from == null ? jdbc.sql(sql).params(Db.ts(now), limit)
                        : jdbc.sql(sql).params(Db.ts(from), Db.ts(now), limit))
                .query(this::row)
                .list();
    }

    /**
     * Marks due checkouts abandoned, each with its event id, in one batch: those still pending and due as they were
     * read (not where another transaction or instance got there first, or the checkout was converted or refreshed
     * since).
     *
     * @param eventIds checkout id → abandoned event id, for each of {@code due}
     * @return per checkout of {@code due}, whether it was marked
     */
    public boolean[] markAbandoned(List<CheckoutRow> due, Map<String, String> eventIds, Instant now) {
        if (dialect.postgres()) {
            return markAbandonedOnPostgres(due, eventIds, now);
        }
        int[][] counts = jdbcTemplate.batchUpdate("""
                update checkout set status = 'abandoned', abandoned_at = ?, updated_at = ?, abandoned_event_id = ?
                where id = ? and status = 'pending' and due_at <= ?""", due, due.size(), (ps, row) -> {
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
            marked[i] = counts[0][i] >= 0 ? counts[0][i] == 1
                    : eventIds.get(id).equals(jdbc.sql("select abandoned_event_id from checkout where id = ?")
                            .param(id).query(String.class).optional().orElse(null));
        }
        return marked;
    }

    /**
     * The same as one statement, the batch's columns as arrays: PostgreSQL planned each of a batch's hundred updates
     * (the hub asks for custom plans), 60 µs apiece. The status and due time each checkout was read with come as data
     * too: written as constants, they match the due index's condition, and PostgreSQL, which counts few pending
     * checkouts, read all of that index (every abandoned checkout's entry until vacuum) for a hash join instead of
     * looking the ids up.
     */
    private boolean[] markAbandonedOnPostgres(List<CheckoutRow> due, Map<String, String> eventIds, Instant now) {
        Set<String> marked = new HashSet<>(jdbcTemplate.query("""
                update checkout c set status = 'abandoned', abandoned_at = ?, updated_at = ?,
                                      abandoned_event_id = v.event_id
                from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::timestamptz[])
                     as v(id, event_id, status, due_at)
                where c.id = v.id and c.status = v.status and c.due_at <= v.due_at
                returning c.id""", ps -> {
            java.sql.Connection connection = ps.getConnection();
            ps.setObject(1, Db.ts(now));
            ps.setObject(2, Db.ts(now));
            ps.setArray(3, Db.array(connection, "varchar", due.stream().map(CheckoutRow::id).toArray()));
            ps.setArray(4, Db.array(connection, "varchar",
                    due.stream().map(row -> eventIds.get(row.id())).toArray()));
            ps.setArray(5, Db.array(connection, "varchar", due.stream().map(row -> PENDING).toArray()));
            ps.setArray(6, Db.array(connection, "timestamptz",
                    due.stream().map(row -> Db.ts(row.dueAt())).toArray()));
        }, (rs, n) -> rs.getString(1)));
        boolean[] result = new boolean[due.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = marked.contains(due.get(i).id());
        }
        return result;
    }

    /** Closes a checkout as converted (paid in time) or recovered (paid after abandonment). */
    public boolean close(String id, String fromStatus, String toStatus, Instant now) {
        return jdbc.sql("update checkout set status = ?, closed_at = ?, updated_at = ? where id = ? and status = ?")
                .params(toStatus, Db.ts(now), Db.ts(now), id, fromStatus)
                .update() == 1;
    }

    /**
     * Supersedes those of these due checkouts whose buyer has a pending checkout started later (two notices of one
     * buyer committed at once, or both due in one batch), in one statement.
     *
     * @return the ids superseded
     */
    public List<String> supersedeOlder(List<CheckoutRow> due, Instant now) {
        if (due.isEmpty()) {
            return List.of();
        }
        String ids = placeholders(due.size());
        List<Object> params = new ArrayList<>(due.stream().map(CheckoutRow::id).toList());
        // Looked up id by id and buyer by buyer: PostgreSQL, which counts few pending checkouts, answered
        // "c.status = 'pending'" and a semi-join on the buyer's pending checkouts from the due index, reading all of it
        // (every abandoned checkout's entry until vacuum). The update below checks the status; a scalar subquery
        // runs per checkout, on the (email, status) index.
        List<String> older = jdbc.sql("select c.id from checkout c where c.id in (" + ids + ")"
                        + " and c.started_at < (select max(n.started_at) from checkout n"
                        + " where n.email = c.email and n.status = 'pending')")
                .params(params)
                .query(String.class)
                .list();
        List<String> superseded = new ArrayList<>();
        for (String id : older) {
            if (jdbc.sql("""
                    update checkout set status = 'superseded', closed_at = ?, updated_at = ?
                    where id = ? and status = 'pending'""").params(Db.ts(now), Db.ts(now), id).update() == 1) {
                superseded.add(id);
            }
        }
        return superseded;
    }

    /** The buyer's newest pending checkout, from any source. */
    public Optional<CheckoutRow> findPendingByEmail(String email) {
        return jdbc.sql("select " + COLUMNS + " from checkout where email = ? and status = 'pending'"
                        + " order by started_at desc")
                .param(email)
                .query(this::row)
                .list().stream().findFirst();
    }

    /**
     * Ids and emails of the checkouts of these buyers abandoned after {@code since} (recovered since or not), for
     * the enrichment's repeat count.
     */
    public List<Map.Entry<String, String>> abandonedSince(Collection<String> emails, Instant since) {
        if (emails.isEmpty()) {
            return List.of();
        }
        String marks = placeholders(emails.size());
        List<Object> params = new ArrayList<>(emails);
        params.add(Db.ts(since));
        return jdbc.sql("select id, email from checkout where email in (" + marks + ") and abandoned_at > ?")
                .params(params)
                .query((rs, n) -> Map.entry(rs.getString("id"), rs.getString("email")))
                .list();
    }

    public long countByStatus(String status) {
        // due_at is never null: naming it lets PostgreSQL count the pending ones from the due index (V14)
        return jdbc.sql("select count(*) from checkout where status = ? and due_at is not null").param(status)
                .query(Long.class).single();
    }

    /** Abandoned at some point, whether recovered since or not. */
    public long countEverAbandoned() {
        return jdbc.sql("select count(*) from checkout where abandoned_at is not null").query(Long.class).single();
    }

    private CheckoutRow row(ResultSet rs, int n) throws SQLException {
        return new CheckoutRow(rs.getString("id"), rs.getString("source"), rs.getString("checkout_ref"),
                rs.getString("email"), rs.getString("product_ref"), rs.getString("status"),
                Db.instant(rs, "started_at"), Db.instant(rs, "due_at"), Db.instant(rs, "abandoned_at"),
                rs.getString("abandoned_event_id"),
                rs.getString("started_event"));
    }
}
