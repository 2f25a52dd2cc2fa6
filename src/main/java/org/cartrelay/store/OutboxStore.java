package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Outbound events and their deliveries (the outbox). Deliveries are claimed with a lease: a worker that dies
 * mid-send leaves a lease that expires, and the delivery is claimed again; the event id stays the same.
 */
@Repository
public class OutboxStore {

    public static final String PENDING = "pending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
    public static final String CANCELLED = "cancelled";
    public static final String SUPPRESSED = "suppressed";

    /**
     * Takes the lease of up to a limit of due deliveries of one connector, re-checked on each locked row (on H2;
     * PostgreSQL's form is {@link #claimOnPostgres}). {@code FROM} stands for where the look for due ones starts, if
     * anywhere.
     */
    private static final String LEASE = """
            update delivery set lease_token = ?, lease_until = ?
            where status = 'pending' and next_attempt_at <= ? and (lease_until is null or lease_until < ?)
              and id in (select id from delivery
                         where connector = ? and status = 'pending' and next_attempt_at <= ? FROM
                           and (lease_until is null or lease_until < ?)
                         order by next_attempt_at limit ?)""";
    private static final String CLAIMED = """
            select l.id, l.event_id, e.type, l.connector, l.attempts, l.throttled, e.created_at, e.payload, l.step,
                   l.progress, l.next_attempt_at, e.checkout_id, e.email""";
    private static final String CLAIM_POSTGRES = claimOnPostgres(false, false);
    private static final String CLAIM_POSTGRES_FROM = claimOnPostgres(true, false);
    private static final String CLAIM_RETRIES_POSTGRES = claimOnPostgres(false, true);
    private static final String LEASE_H2 = leaseOnH2(false, false);
    private static final String LEASE_H2_FROM = leaseOnH2(true, false);
    private static final String LEASE_RETRIES_H2 = leaseOnH2(false, true);
    /** A finished delivery's next state, joined to its row by id and lease token (PostgreSQL). */
    private static final List<Db.Column<Finished>> MOVED = List.of(
            Db.column("id", "varchar", Finished::deliveryId),
            Db.column("lease_token", "varchar", Finished::leaseToken),
            Db.column("status", "varchar", Finished::nextStatus),
            Db.column("attempts", "integer", Finished::attempt),
            Db.column("next_attempt_at", "timestamptz", f -> Db.ts(nextAttemptAt(f))),
            Db.column("last_error", "varchar", f -> Db.clip(f.lastError(), 2000)),
            Db.column("delivered_at", "timestamptz", f -> Db.ts(deliveredAt(f))),
            Db.column("dead_at", "timestamptz", f -> Db.ts(deadAt(f))),
            Db.column("progress", "integer", Finished::progress),
            Db.column("throttled", "integer", Finished::throttled));
    /**
     * A delivery cancelled while its attempt ran (the cart was recovered) stays cancelled, unless that attempt
     * delivered it: then it went out, and the record says so.
     */
    private static final String MOVE_ON_POSTGRES = """
            update delivery d set status = case when d.status = 'cancelled' and v.status <> 'delivered'
                                                then d.status else v.status end,
                   attempts = v.attempts, next_attempt_at = v.next_attempt_at,
                   lease_token = null, lease_until = null,
                   last_error = case when d.status = 'cancelled' and v.status <> 'delivered'
                                     then d.last_error else v.last_error end,
                   delivered_at = v.delivered_at,
                   dead_at = case when d.status = 'cancelled' then null else v.dead_at end,
                   progress = v.progress, throttled = v.throttled
            from %s
            where d.id = v.id and d.lease_token = v.lease_token
            returning d.id""".formatted(Db.unnest(MOVED, "v"));
    /** An attempt's row, written when its delivery moves on. */
    private static final List<Db.Column<Finished>> ATTEMPT = List.of(
            Db.column("delivery_id", "varchar", Finished::deliveryId),
            Db.column("attempt", "integer", Finished::attempt),
            Db.column("attempted_at", "timestamptz", f -> Db.ts(f.startedAt())),
            Db.column("duration_ms", "bigint", f -> f.result().durationMs()),
            Db.column("status_code", "integer", f -> f.result().statusCode() > 0 ? f.result().statusCode() : null),
            Db.column("outcome", "varchar", f -> f.result().outcome()),
            Db.column("error", "varchar", f -> Db.clip(f.result().error(), 2000)),
            Db.column("response_body", "varchar", f -> Db.clip(f.result().responseBody(), 2000)));

    private static String lease(boolean from, boolean retries) {
        return LEASE.replace(" FROM", (from ? " and next_attempt_at >= ?" : "") + (retries ? " and attempts > 0" : ""));
    }

    /**
     * PostgreSQL returns the leased rows with their events from a data-modifying WITH, all in one snapshot. The due
     * rows are chosen first and the update finds each by its id; their status comes along as data, so that the
     * update's own conditions do not match the pending index's. Written with {@code id in (…)} and a constant status,
     * a plan made while statistics counted few pending deliveries walked the whole pending index for the update and
     * chose the batch again for every row it met: one claim of 64 took 1.4 s behind a backlog of 40,000 (808,000
     * buffers read), 1.8 ms this way.
     */
    static String claimOnPostgres(boolean from, boolean retries) {
        return """
                with c as (select id, status from delivery
                           where connector = ? and status = 'pending' and next_attempt_at <= ? FROM
                             and (lease_until is null or lease_until < ?)
                           order by next_attempt_at limit ?),
                     l as (update delivery d set lease_token = ?, lease_until = ?
                           from c
                           where d.id = c.id and d.status = c.status and d.next_attempt_at <= ?
                             and (d.lease_until is null or d.lease_until < ?)
                           returning d.id, d.event_id, d.connector, d.attempts, d.throttled, d.step, d.progress,
                                     d.next_attempt_at)
                """.replace(" FROM", (from ? " and next_attempt_at >= ?" : "") + (retries ? " and attempts > 0" : ""))
                + CLAIMED + " from l join outbound_event e on e.id = l.event_id order by l.next_attempt_at";
    }

    /**
     * H2 returns the leased rows from a FINAL TABLE, and their events come with a second statement. Joined in one, H2
     * read the events before the update, which then leased deliveries committed in between and left them out of the
     * answer, to wait for their lease to run out.
     */
    private static String leaseOnH2(boolean from, boolean retries) {
        return "select id, event_id, connector, attempts, throttled, step, progress, next_attempt_at from final table ("
                + lease(from, retries) + ") order by next_attempt_at";
    }

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;
    private final Dialect dialect;

    public OutboxStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, Dialect dialect) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.dialect = dialect;
    }

    /**
     * A leased delivery: its attempts so far (and how many of them the target throttled), its step (0 unless the
     * connector sends in steps), how many calls already succeeded, and the checkout and buyer its event is about.
     */
    public record Claimed(String id, String eventId, String eventType, String connector, int attempts, int throttled,
            Instant eventCreatedAt, String payload, int step, int progress, Instant nextAttemptAt, String checkoutId,
            String email) {

        /** Whether an earlier attempt was made (it failed or was throttled). */
        public boolean retry() {
            return attempts > 0;
        }
    }

    public record Attempt(int statusCode, String outcome, String error, String responseBody, long durationMs) {
    }

    /**
     * One finished attempt waiting to be written: the attempt row and the delivery's next state, with its throttled
     * attempts so far and, for a delivery that died, why (else its last error is the attempt's).
     */
    public record Finished(String deliveryId, String leaseToken, int attempt, Instant startedAt, Attempt result,
            String nextStatus, Instant nextAttemptAt, int progress, int throttled, String reason) {

        String lastError() {
            return reason != null ? reason : result.error();
        }
    }

    public record EventRow(String id, String type, String checkoutId, String email, String payload) {
    }

    /**
     * A delivery to create: pending, or suppressed with its reason (policy withholds it; never silently dropped).
     * A connector that sends in steps gets one row per step, each due after its delay.
     */
    public record DeliveryRow(String id, String eventId, String connector, String status, String reason, int step,
            java.time.Duration delay, String leaseToken, Instant leaseUntil) {

        public DeliveryRow(String id, String eventId, String connector, String status, String reason, int step,
                java.time.Duration delay) {
            this(id, eventId, connector, status, reason, step, delay, null, null);
        }

        public DeliveryRow(String id, String eventId, String connector, String status, String reason) {
            this(id, eventId, connector, status, reason, 0, java.time.Duration.ZERO);
        }

        /** The same delivery, written leased: a lane took it at once. */
        public DeliveryRow leased(String token, Instant until) {
            return new DeliveryRow(id, eventId, connector, status, reason, step, delay, token, until);
        }
    }

    /** Writes outbound events and their deliveries (some perhaps leased already), with multi-row inserts. */
    public void insert(List<EventRow> events, List<DeliveryRow> deliveries, Instant now) {
        Db.insertAll(jdbcTemplate, postgres(), "outbound_event", eventColumns(now), events);
        Db.insertAll(jdbcTemplate, postgres(), "delivery", deliveryColumns(now), deliveries);
    }

    private static List<Db.Column<EventRow>> eventColumns(Instant now) {
        OffsetDateTime at = Db.ts(now);
        return List.of(
                Db.column("id", "varchar", EventRow::id),
                Db.column("type", "varchar", EventRow::type),
                Db.column("checkout_id", "varchar", EventRow::checkoutId),
                Db.column("email", "varchar", EventRow::email),
                Db.column("created_at", "timestamptz", e -> at),
                Db.column("payload", "varchar", EventRow::payload));
    }

    private static List<Db.Column<DeliveryRow>> deliveryColumns(Instant now) {
        OffsetDateTime at = Db.ts(now);
        return List.of(
                Db.column("id", "varchar", DeliveryRow::id),
                Db.column("event_id", "varchar", DeliveryRow::eventId),
                Db.column("connector", "varchar", DeliveryRow::connector),
                Db.column("status", "varchar", DeliveryRow::status),
                Db.column("attempts", "integer", d -> 0),
                Db.column("created_at", "timestamptz", d -> at),
                Db.column("next_attempt_at", "timestamptz", d -> Db.ts(now.plus(d.delay()))),
                Db.column("last_error", "varchar", d -> Db.clip(d.reason(), 2000)),
                Db.column("step", "integer", DeliveryRow::step),
                Db.column("lease_token", "varchar", DeliveryRow::leaseToken),
                Db.column("lease_until", "timestamptz", d -> Db.ts(d.leaseUntil())));
    }

    /**
     * Deliveries of an event that have not gone out yet are cancelled (an abandoned cart that was recovered), retries
     * and leased ones too. A leased one keeps its lease: its worker checks before it sends, and an attempt already
     * under way is recorded as what it was, the delivery staying cancelled unless that attempt delivered it.
     */
    public int cancelUnsent(String eventId, Instant now) {
        return jdbc.sql("""
                update delivery set status = 'cancelled', last_error = 'The cart was recovered before this was sent.',
                       next_attempt_at = ?
                where event_id = ? and status = 'pending'""")
                .params(Db.ts(now), eventId)
                .update();
    }

    /**
     * Leases up to {@code limit} due deliveries of one connector, oldest due first, and returns them with their
     * events: pending ones nobody holds, and ones whose lease ran out because their worker or instance died mid-send.
     * A leased delivery stays {@code pending}; the lease is its token and expiry, columns no index holds, so taking it
     * rewrites the row in place (a heap-only update on PostgreSQL) instead of adding an entry to every index. Safe
     * between instances: the outer condition is re-checked on the locked row.
     */
    public List<Claimed> claim(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        return claim(connector, limit, null, now, leaseUntil, token);
    }

    /** The same, looking only at deliveries due from {@code from} on ({@code null}: from the earliest). */
    public List<Claimed> claim(String connector, int limit, Instant from, Instant now, Instant leaseUntil,
            String token) {
        return claim(connector, limit, from, false, now, leaseUntil, token);
    }

    /** The same, taking only retries (deliveries with an attempt before), due from the earliest on. */
    public List<Claimed> claimRetries(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        return claim(connector, limit, null, true, now, leaseUntil, token);
    }

    private List<Claimed> claim(String connector, int limit, Instant from, boolean retries, Instant now,
            Instant leaseUntil, String token) {
        if (postgres()) {
            List<Object> params = new ArrayList<>(List.of(connector, Db.ts(now)));
            if (from != null) {
                params.add(Db.ts(from));
            }
            params.addAll(List.of(Db.ts(now), limit, token, Db.ts(leaseUntil), Db.ts(now), Db.ts(now)));
            String sql = retries ? CLAIM_RETRIES_POSTGRES : from == null ? CLAIM_POSTGRES : CLAIM_POSTGRES_FROM;
            return jdbc.sql(sql).params(params).query(this::claimed).list();
        }
        List<Object> params = new ArrayList<>(List.of(token, Db.ts(leaseUntil), Db.ts(now), Db.ts(now), connector,
                Db.ts(now)));
        if (from != null) {
            params.add(Db.ts(from));
        }
        params.addAll(List.of(Db.ts(now), limit));
        String sql = retries ? LEASE_RETRIES_H2 : from == null ? LEASE_H2 : LEASE_H2_FROM;
        List<Map<String, Object>> leased = jdbc.sql(sql).params(params).query().listOfRows();
        if (leased.isEmpty()) {
            return List.of();
        }
        List<Object> eventIds = leased.stream().map(row -> row.get("event_id")).distinct().toList();
        Map<Object, Map<String, Object>> events = new HashMap<>();
        jdbc.sql("select id, type, created_at, payload, checkout_id, email from outbound_event where id in ("
                        + String.join(", ", Collections.nCopies(eventIds.size(), "?")) + ")")
                .params(eventIds).query().listOfRows()
                .forEach(event -> events.put(event.get("id"), event));
        List<Claimed> claimed = new ArrayList<>(leased.size());
        for (Map<String, Object> row : leased) {
            Map<String, Object> event = events.get(row.get("event_id"));
            claimed.add(new Claimed((String) row.get("id"), (String) row.get("event_id"), (String) event.get("type"),
                    (String) row.get("connector"), ((Number) row.get("attempts")).intValue(),
                    ((Number) row.get("throttled")).intValue(), instant(event.get("created_at")),
                    (String) event.get("payload"), ((Number) row.get("step")).intValue(),
                    ((Number) row.get("progress")).intValue(), instant(row.get("next_attempt_at")),
                    (String) event.get("checkout_id"), (String) event.get("email")));
        }
        return claimed;
    }

    private static Instant instant(Object timestamp) {
        return timestamp == null ? null : ((OffsetDateTime) timestamp).toInstant();
    }

    private boolean postgres() {
        return dialect.postgres();
    }

    /**
     * Writes finished attempts in one transaction: each delivery moves to its next state only while the worker
     * still holds its lease, and only those attempts are recorded.
     *
     * @return the deliveries whose lease was lost meanwhile (their attempt is not recorded)
     */
    @Transactional
    public List<String> recordAll(List<Finished> finished) {
        if (finished.isEmpty()) {
            return List.of();
        }
        java.util.Set<String> moved = postgres() ? moveOnPostgres(finished) : moveOn(finished);
        List<Finished> kept = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Finished f : finished) {
            if (moved.contains(f.deliveryId())) {
                kept.add(f);
            } else {
                lost.add(f.deliveryId());
            }
        }
        Db.insertAll(jdbcTemplate, postgres(), "delivery_attempt", ATTEMPT, kept);
        return lost;
    }

    /** Moves each delivery to its next state where this lease still holds it; returns the ids it moved. */
    private java.util.Set<String> moveOn(List<Finished> finished) {
        int[] updated = jdbcTemplate.batchUpdate("""
                update delivery set status = case when status = 'cancelled' and ? <> 'delivered' then status else ? end,
                       attempts = ?, next_attempt_at = ?, lease_token = null, lease_until = null,
                       last_error = case when status = 'cancelled' and ? <> 'delivered' then last_error else ? end,
                       delivered_at = ?, dead_at = case when status = 'cancelled' then null else ? end,
                       progress = ?, throttled = ?
                where id = ? and lease_token = ?""", finished, finished.size(), (ps, f) -> {
            ps.setString(1, f.nextStatus());
            ps.setString(2, f.nextStatus());
            ps.setInt(3, f.attempt());
            ps.setObject(4, Db.ts(nextAttemptAt(f)));
            ps.setString(5, f.nextStatus());
            ps.setString(6, Db.clip(f.lastError(), 2000));
            ps.setObject(7, Db.ts(deliveredAt(f)));
            ps.setObject(8, Db.ts(deadAt(f)));
            ps.setInt(9, f.progress());
            ps.setInt(10, f.throttled());
            ps.setString(11, f.deliveryId());
            ps.setString(12, f.leaseToken());
        })[0];
        java.util.Set<String> moved = new java.util.HashSet<>();
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] > 0) {
                moved.add(finished.get(i).deliveryId());
            }
        }
        return moved;
    }

    /**
     * The same as one statement: PostgreSQL plans each statement it runs (the hub asks for custom plans), so one
     * update joined to the batch's columns as arrays costs one plan instead of one per delivery.
     */
    private java.util.Set<String> moveOnPostgres(List<Finished> finished) {
        return new java.util.HashSet<>(jdbcTemplate.query(MOVE_ON_POSTGRES, ps -> Db.setArrays(ps, 1, MOVED, finished),
                (rs, n) -> rs.getString(1)));
    }

    private static Instant nextAttemptAt(Finished f) {
        return f.nextAttemptAt() == null ? f.startedAt() : f.nextAttemptAt();
    }

    private static Instant deliveredAt(Finished f) {
        return DELIVERED.equals(f.nextStatus()) ? f.startedAt() : null;
    }

    private static Instant deadAt(Finished f) {
        return DEAD.equals(f.nextStatus()) ? f.startedAt() : null;
    }

    /**
     * Cancels one leased delivery of an event cancelled meanwhile, without an attempt, if this lease still holds it
     * (a replay of a recovered cart's abandonment, say).
     */
    public void cancelLeased(String deliveryId, String token, Instant now) {
        jdbc.sql("""
                update delivery set status = 'cancelled', lease_token = null, lease_until = null, next_attempt_at = ?,
                       last_error = 'The cart was recovered before this was sent.'
                where id = ? and lease_token = ? and status in ('pending', 'cancelled')""")
                .params(Db.ts(now), deliveryId, token)
                .update();
    }

    /**
     * Suppresses one leased delivery without an attempt, if this lease still holds it: the privacy policy withholds
     * it now (the buyer unsubscribed after it was written).
     */
    public void suppressLeased(String deliveryId, String token, String reason, Instant now) {
        jdbc.sql("""
                update delivery set status = 'suppressed', lease_token = null, lease_until = null, next_attempt_at = ?,
                       last_error = ?
                where id = ? and lease_token = ? and status = 'pending'""")
                .params(Db.ts(now), Db.clip(reason, 2000), deliveryId, token)
                .update();
    }

    /** Returns one leased delivery to pending without an attempt, if this lease still holds it. */
    public void releaseOne(String deliveryId, String token) {
        jdbc.sql("update delivery set lease_token = null, lease_until = null where id = ? and lease_token = ?")
                .params(deliveryId, token)
                .update();
    }

    /**
     * Returns leased deliveries (id → lease token) to pending, e.g. at shutdown, where the lease still holds them;
     * they keep their attempt count.
     */
    public int release(Map<String, String> leases) {
        if (leases.isEmpty()) {
            return 0;
        }
        List<Map.Entry<String, String>> rows = new ArrayList<>(leases.entrySet());
        int[] released = jdbcTemplate.batchUpdate(
                "update delivery set lease_token = null, lease_until = null where id = ? and lease_token = ?", rows,
                rows.size(), (ps, lease) -> {
                    ps.setString(1, lease.getKey());
                    ps.setString(2, lease.getValue());
                })[0];
        return java.util.Arrays.stream(released).sum();
    }

    /** Per connector: deliveries waiting (pending, in flight included), the creation time of the oldest, and dead letters. */
    public record Backlog(long pending, Instant oldestPending, long dead) {
        public static final Backlog EMPTY = new Backlog(0, null, 0);
    }

    public Map<String, Backlog> backlog() {
        Map<String, Backlog> result = new HashMap<>();
        // one branch per status, so each can walk that status's own (partial) index, whose condition the pending
        // branch names in full (next_attempt_at is never null; V14)
        jdbc.sql("""
                select connector, sum(waiting) as pending, min(oldest) as oldest, sum(dead) as dead
                from (select connector, count(*) as waiting, min(created_at) as oldest, 0 as dead
                      from delivery where status = 'pending' and next_attempt_at is not null group by connector
                      union all
                      select connector, 0, null, count(*)
                      from delivery where status = 'dead' group by connector) as by_status
                group by connector""")
                .query((ResultSet rs) -> {
                    result.put(rs.getString("connector"),
                            new Backlog(rs.getLong("pending"), Db.instant(rs, "oldest"), rs.getLong("dead")));
                });
        return result;
    }

    private Claimed claimed(ResultSet rs, int n) throws SQLException {
        return new Claimed(rs.getString("id"), rs.getString("event_id"), rs.getString("type"),
                rs.getString("connector"), rs.getInt("attempts"), rs.getInt("throttled"), Db.instant(rs, "created_at"),
                rs.getString("payload"), rs.getInt("step"), rs.getInt("progress"), Db.instant(rs, "next_attempt_at"),
                rs.getString("checkout_id"), rs.getString("email"));
    }
}
