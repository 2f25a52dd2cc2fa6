package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Pending checkouts and their abandonment timers. The due time lives here, so a restart loses no timer. The statements
 * that differ by database are {@link PostgresCheckoutStore}'s and {@link H2CheckoutStore}'s.
 */
@Repository
public abstract class CheckoutStore {

    static final String COLUMNS =
            "id, source, checkout_ref, email, product_ref, status, started_at, due_at, abandoned_at, abandoned_event_id,"
                    + " started_event, trace_parent";

    private static final String REFRESH_PENDING = """
            update checkout set status = 'pending', closed_at = null, email = ?, product_ref = ?, updated_at = ?,
                   due_at = ?, started_event = ?, trace_parent = ?
            where id = ? and status in ('pending', 'superseded')""";
    private static final String FIND_BY_REF =
            "select " + COLUMNS + " from checkout where source = ? and checkout_ref = ? order by started_at desc";
    private static final String FIND_OPEN_BY_EMAIL =
            "select " + COLUMNS + " from checkout where source = ? and email = ?"
                    + " and status in ('pending', 'abandoned') order by started_at desc";
    private static final String FIND_OPEN_BY_EMAIL_AND_PRODUCT = "select " + COLUMNS
            + " from checkout where source = ? and email = ? and status in ('pending', 'abandoned') and product_ref = ?"
            + " order by started_at desc";
    private static final String DUE =
            "select " + COLUMNS + " from checkout where status = 'pending' and due_at <= ? order by due_at limit ?";
    private static final String DUE_FROM = "select " + COLUMNS
            + " from checkout where status = 'pending' and due_at >= ? and due_at <= ? order by due_at limit ?";
    private static final String CLOSE =
            "update checkout set status = ?, closed_at = ?, updated_at = ? where id = ? and status = ?";
    /**
     * Looked up id by id and buyer by buyer: a semi-join on the buyer's pending checkouts could be answered from the
     * due index, read whole (every abandoned checkout's entry until vacuum). {@link #SUPERSEDE_ONE} checks the status;
     * the scalar subquery runs per checkout, on the (email, status) index. The ids go in {@code %s}.
     */
    private static final String OLDER_THAN_PENDING = "select c.id from checkout c where c.id in (%s)"
            + " and c.started_at < (select max(n.started_at) from checkout n"
            + " where n.email = c.email and n.status = 'pending')";

    private static final String SUPERSEDE_ONE = """
            update checkout set status = 'superseded', closed_at = ?, updated_at = ?
            where id = ? and status = 'pending'""";
    private static final String PENDING_BY_EMAIL =
            "select " + COLUMNS + " from checkout where email = ? and status = 'pending' order by started_at desc";
    private static final String ABANDONED_SINCE =
            "select id, email from checkout where email in (%s) and abandoned_at > ?";
    /** {@code due_at} is never null: naming it lets PostgreSQL count the pending ones from the due index. */
    private static final String COUNT_BY_STATUS =
            "select count(*) from checkout where status = ? and due_at is not null";

    private static final String COUNT_EVER_ABANDONED = "select count(*) from checkout where abandoned_at is not null";

    protected final JdbcClient jdbc;
    protected final JdbcTemplate jdbcTemplate;
    private final BulkInsert bulk;

    CheckoutStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.bulk = bulk;
    }

    public record CheckoutRow(
            String id,
            String source,
            String checkoutRef,
            String email,
            String productRef,
            CheckoutStatus status,
            Instant startedAt,
            Instant dueAt,
            Instant abandonedAt,
            String abandonedEventId,
            String startedEvent,
            String traceParent) {}

    /** A checkout to open, or a pending (or superseded) one to refresh with a newer notice. */
    public record Started(
            String id,
            String source,
            String checkoutRef,
            String email,
            String productRef,
            Instant now,
            Instant dueAt,
            String startedEvent,
            String traceParent) {}

    private static final List<Db.Column<Started>> STARTED = List.of(
            Db.column("id", "varchar", Started::id),
            Db.column("source", "varchar", Started::source),
            Db.column("checkout_ref", "varchar", Started::checkoutRef),
            Db.column("email", "varchar", Started::email),
            Db.column("product_ref", "varchar", Started::productRef),
            Db.column("status", "varchar", r -> CheckoutStatus.PENDING.column()),
            Db.column("started_at", "timestamptz", r -> Db.ts(r.now())),
            Db.column("updated_at", "timestamptz", r -> Db.ts(r.now())),
            Db.column("due_at", "timestamptz", r -> Db.ts(r.dueAt())),
            Db.column("started_event", "varchar", Started::startedEvent),
            Db.column("trace_parent", "varchar", Started::traceParent));

    /** Opens pending checkouts, with multi-row inserts. */
    public void insertPendingAll(List<Started> rows) {
        bulk.insertAll("checkout", STARTED, rows);
    }

    /**
     * A newer notice of the same open checkout replaces its data and restarts its timer; a superseded checkout that
     * the buyer came back to is pending again. One batched statement for any number of them, in order.
     */
    public void refreshPendingAll(List<Started> rows) {
        if (rows.isEmpty()) {
            return;
        }
        jdbcTemplate.batchUpdate(REFRESH_PENDING, rows, rows.size(), (ps, r) -> {
            ps.setString(1, r.email());
            ps.setString(2, r.productRef());
            ps.setObject(3, Db.ts(r.now()));
            ps.setObject(4, Db.ts(r.dueAt()));
            ps.setString(5, r.startedEvent());
            ps.setString(6, r.traceParent());
            ps.setString(7, r.id());
        });
    }

    /**
     * The newest checkout of each of these refs (per source), and the pending checkouts of these buyers, for a batch
     * of the intake.
     */
    public abstract CheckoutsFound find(CheckoutKeys keys);

    /**
     * Marks each buyer's pending checkouts other than their newest superseded (a burst of checkouts yields one
     * abandonment), one statement for any number of buyers.
     *
     * @param newestByEmail each buyer's newest checkout, the one that stays pending
     * @return how many of each buyer's other checkouts were superseded, in the map's order
     */
    public int[] supersedeOthersAll(Map<String, String> newestByEmail, Instant now) {
        List<Map.Entry<String, String>> entries = List.copyOf(newestByEmail.entrySet());
        return entries.isEmpty() ? new int[0] : supersedeOthers(entries, now);
    }

    abstract int[] supersedeOthers(List<Map.Entry<String, String>> newestByEmail, Instant now);

    public Optional<CheckoutRow> findByRef(String source, String checkoutRef) {
        return jdbc.sql(FIND_BY_REF).params(source, checkoutRef).query(CheckoutStore::row).list().stream()
                .findFirst();
    }

    /** The newest open or abandoned checkout of this buyer, for a product when one is given. */
    public Optional<CheckoutRow> findOpenByEmail(String source, String email, String productRef) {
        JdbcClient.StatementSpec spec = productRef == null
                ? jdbc.sql(FIND_OPEN_BY_EMAIL).params(source, email)
                : jdbc.sql(FIND_OPEN_BY_EMAIL_AND_PRODUCT).params(source, email, productRef);
        return spec.query(CheckoutStore::row).list().stream().findFirst();
    }

    /** This buyer's pending and abandoned checkouts of one source, newest first. */
    public List<CheckoutRow> openOfBuyer(String source, String email) {
        return jdbc.sql(FIND_OPEN_BY_EMAIL)
                .params(source, email)
                .query(CheckoutStore::row)
                .list();
    }

    /**
     * Pending checkouts due by {@code now}, in due order, from {@code from} on ({@code null}: from the earliest). An
     * abandoned checkout leaves its entry in the due index until the table is vacuumed, and a scan from the earliest
     * steps over every such entry; starting where the last scan ended skips them.
     */
    public List<CheckoutRow> due(Instant from, Instant now, int limit) {
        return (from == null
                        ? jdbc.sql(DUE).params(Db.ts(now), limit)
                        : jdbc.sql(DUE_FROM).params(Db.ts(from), Db.ts(now), limit))
                .query(CheckoutStore::row)
                .list();
    }

    /**
     * Of these due checkouts, those this transaction now holds locked, to abandon them; the ones another instance's
     * timer holds are left to it, without waiting for its transaction. Must run inside the abandoning transaction.
     */
    public abstract List<CheckoutRow> lockDue(List<CheckoutRow> due);

    /**
     * Marks due checkouts abandoned, each with its event id, in one batch: those still pending and due as they were
     * read (not where another transaction or instance got there first, or the checkout was converted or refreshed
     * since).
     *
     * @param eventIds checkout id → abandoned event id, for each of {@code due}
     * @return per checkout of {@code due}, whether it was marked
     */
    public abstract boolean[] markAbandoned(List<CheckoutRow> due, Map<String, String> eventIds, Instant now);

    /** Closes a checkout as converted (paid in time) or recovered (paid after abandonment). */
    public boolean close(String id, CheckoutStatus fromStatus, CheckoutStatus toStatus, Instant now) {
        return jdbc.sql(CLOSE)
                        .params(toStatus.column(), Db.ts(now), Db.ts(now), id, fromStatus.column())
                        .update()
                == 1;
    }

    /**
     * Supersedes those of these due checkouts whose buyer has a pending checkout started later (two notices of one
     * buyer committed at once, or both due in one batch).
     *
     * @return the ids superseded
     */
    public List<String> supersedeOlder(List<CheckoutRow> due, Instant now) {
        if (due.isEmpty()) {
            return List.of();
        }
        List<String> older = jdbc.sql(OLDER_THAN_PENDING.formatted(placeholders(due.size())))
                .params(new ArrayList<>(due.stream().map(CheckoutRow::id).toList()))
                .query(String.class)
                .list();
        List<String> superseded = new ArrayList<>();
        for (String id : older) {
            if (jdbc.sql(SUPERSEDE_ONE).params(Db.ts(now), Db.ts(now), id).update() == 1) {
                superseded.add(id);
            }
        }
        return superseded;
    }

    /** The buyer's newest pending checkout, from any source. */
    public Optional<CheckoutRow> findPendingByEmail(String email) {
        return jdbc.sql(PENDING_BY_EMAIL).param(email).query(CheckoutStore::row).list().stream()
                .findFirst();
    }

    /**
     * Ids and emails of the checkouts of these buyers abandoned after {@code since} (recovered since or not), for
     * the enrichment's repeat count.
     */
    public List<Map.Entry<String, String>> abandonedSince(Collection<String> emails, Instant since) {
        if (emails.isEmpty()) {
            return List.of();
        }
        List<Object> params = new ArrayList<>(emails);
        params.add(Db.ts(since));
        return jdbc.sql(ABANDONED_SINCE.formatted(placeholders(emails.size())))
                .params(params)
                .query((rs, n) -> Map.entry(rs.getString("id"), rs.getString("email")))
                .list();
    }

    public long countByStatus(CheckoutStatus status) {
        return jdbc.sql(COUNT_BY_STATUS)
                .param(status.column())
                .query(Long.class)
                .single();
    }

    /** Abandoned at some point, whether recovered since or not. */
    public long countEverAbandoned() {
        return jdbc.sql(COUNT_EVER_ABANDONED).query(Long.class).single();
    }

    static String placeholders(int count) {
        return String.join(", ", Collections.nCopies(count, "?"));
    }

    static CheckoutRow row(ResultSet rs, int n) throws SQLException {
        return new CheckoutRow(
                rs.getString("id"),
                rs.getString("source"),
                rs.getString("checkout_ref"),
                rs.getString("email"),
                rs.getString("product_ref"),
                CheckoutStatus.ofColumn(rs.getString("status")),
                Db.instant(rs, "started_at"),
                Db.instant(rs, "due_at"),
                Db.instant(rs, "abandoned_at"),
                rs.getString("abandoned_event_id"),
                rs.getString("started_event"),
                rs.getString("trace_parent"));
    }
}
