package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Outbound events and their deliveries (the outbox). Deliveries are claimed with a lease: a worker that dies
 * mid-send leaves a lease that expires, and the delivery is claimed again; the event id stays the same. The claim and
 * the move to a delivery's next state are {@link PostgresOutboxStore}'s or {@link H2OutboxStore}'s.
 */
@Repository
public abstract class OutboxStore {

    /**
     * A delivery cancelled meanwhile (the cart was recovered) keeps its lease: its worker checks before it sends, and
     * an attempt already under way is recorded as what it was, the delivery staying cancelled unless that attempt
     * delivered it.
     */
    private static final String CANCEL_UNSENT = """
            update delivery set status = 'cancelled', last_error = 'The cart was recovered before this was sent.',
                   next_attempt_at = ?
            where event_id = ? and status = 'pending'""";

    private static final String CANCEL_LEASED = """
            update delivery set status = 'cancelled', lease_token = null, lease_until = null, next_attempt_at = ?,
                   last_error = 'The cart was recovered before this was sent.'
            where id = ? and lease_token = ? and status in ('pending', 'cancelled')""";
    private static final String SUPPRESS_LEASED = """
            update delivery set status = 'suppressed', lease_token = null, lease_until = null, next_attempt_at = ?,
                   last_error = ?
            where id = ? and lease_token = ? and status = 'pending'""";
    private static final String RELEASE =
            "update delivery set lease_token = null, lease_until = null where id = ? and lease_token = ?";
    /**
     * One branch per status, so each can walk that status's own (partial) index, whose condition the pending branch
     * names in full ({@code next_attempt_at} is never null).
     */
    private static final String BACKLOG = """
            select connector, sum(waiting) as pending, min(oldest) as oldest, sum(dead) as dead
            from (select connector, count(*) as waiting, min(created_at) as oldest, 0 as dead
                  from delivery where status = 'pending' and next_attempt_at is not null group by connector
                  union all
                  select connector, 0, null, count(*)
                  from delivery where status = 'dead' group by connector) as by_status
            group by connector""";

    /** An attempt's row, written when its delivery moves on. */
    private static final List<Db.Column<Finished>> ATTEMPT = List.of(
            Db.column("delivery_id", "varchar", Finished::deliveryId),
            Db.column("attempt", "integer", Finished::attempt),
            Db.column("attempted_at", "timestamptz", f -> Db.ts(f.startedAt())),
            Db.column("duration_ms", "bigint", f -> f.result().durationMs()),
            Db.column(
                    "status_code",
                    "integer",
                    f -> f.result().statusCode() > 0 ? f.result().statusCode() : null),
            Db.column("outcome", "varchar", f -> f.result().outcome()),
            Db.column("error", "varchar", f -> Db.clip(f.result().error(), 2000)),
            Db.column("response_body", "varchar", f -> Db.clip(f.result().responseBody(), 2000)));

    protected final JdbcClient jdbc;
    protected final JdbcTemplate jdbcTemplate;
    private final BulkInsert bulk;

    OutboxStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
        this.bulk = bulk;
    }

    /**
     * A leased delivery: its attempts so far (and how many of them the target throttled), its step (0 unless the
     * connector sends in steps), how many calls already succeeded, and the checkout and buyer its event is about.
     */
    public record Claimed(
            String id,
            String eventId,
            String eventType,
            String connector,
            int attempts,
            int throttled,
            Instant eventCreatedAt,
            String payload,
            int step,
            int progress,
            Instant nextAttemptAt,
            String checkoutId,
            String email,
            String traceParent) {

        /** Whether an earlier attempt was made (it failed or was throttled). */
        public boolean retry() {
            return attempts > 0;
        }
    }

    public record Attempt(int statusCode, String outcome, String error, String responseBody, long durationMs) {}

    /**
     * One finished attempt waiting to be written: the attempt row and the delivery's next state, with its throttled
     * attempts so far and, for a delivery that died, why (else its last error is the attempt's).
     */
    public record Finished(
            String deliveryId,
            String leaseToken,
            int attempt,
            Instant startedAt,
            Attempt result,
            DeliveryStatus nextStatus,
            Instant nextAttemptAt,
            int progress,
            int throttled,
            String reason) {

        String lastError() {
            return reason != null ? reason : result.error();
        }

        Instant nextAttemptAtOrNow() {
            return nextAttemptAt == null ? startedAt : nextAttemptAt;
        }

        Instant deliveredAt() {
            return nextStatus == DeliveryStatus.DELIVERED ? startedAt : null;
        }

        Instant deadAt() {
            return nextStatus == DeliveryStatus.DEAD ? startedAt : null;
        }
    }

    /** An outbound event to write, with the traceparent of the span that wrote it ({@code null}: not traced). */
    public record EventRow(
            String id, String type, String checkoutId, String email, String payload, String traceParent) {

        public EventRow(String id, String type, String checkoutId, String email, String payload) {
            this(id, type, checkoutId, email, payload, null);
        }
    }

    /**
     * A delivery to create: pending, or suppressed with its reason (policy withholds it; never silently dropped).
     * A connector that sends in steps gets one row per step, each due after its delay.
     */
    public record DeliveryRow(
            String id,
            String eventId,
            String connector,
            DeliveryStatus status,
            String reason,
            int step,
            Duration delay,
            String leaseToken,
            Instant leaseUntil) {

        public DeliveryRow(
                String id,
                String eventId,
                String connector,
                DeliveryStatus status,
                String reason,
                int step,
                Duration delay) {
            this(id, eventId, connector, status, reason, step, delay, null, null);
        }

        public DeliveryRow(String id, String eventId, String connector, DeliveryStatus status, String reason) {
            this(id, eventId, connector, status, reason, 0, Duration.ZERO);
        }

        /** The same delivery, written leased: a lane took it at once. */
        public DeliveryRow leased(String token, Instant until) {
            return new DeliveryRow(id, eventId, connector, status, reason, step, delay, token, until);
        }
    }

    /** Writes outbound events and their deliveries (some perhaps leased already), with multi-row inserts. */
    public void insert(List<EventRow> events, List<DeliveryRow> deliveries, Instant now) {
        bulk.insertAll("outbound_event", eventColumns(now), events);
        bulk.insertAll("delivery", deliveryColumns(now), deliveries);
    }

    private static List<Db.Column<EventRow>> eventColumns(Instant now) {
        OffsetDateTime at = Db.ts(now);
        return List.of(
                Db.column("id", "varchar", EventRow::id),
                Db.column("type", "varchar", EventRow::type),
                Db.column("checkout_id", "varchar", EventRow::checkoutId),
                Db.column("email", "varchar", EventRow::email),
                Db.column("created_at", "timestamptz", e -> at),
                Db.column("payload", "varchar", EventRow::payload),
                Db.column("trace_parent", "varchar", EventRow::traceParent));
    }

    private static List<Db.Column<DeliveryRow>> deliveryColumns(Instant now) {
        OffsetDateTime at = Db.ts(now);
        return List.of(
                Db.column("id", "varchar", DeliveryRow::id),
                Db.column("event_id", "varchar", DeliveryRow::eventId),
                Db.column("connector", "varchar", DeliveryRow::connector),
                Db.column("status", "varchar", d -> d.status().column()),
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
     * and leased ones too.
     */
    public int cancelUnsent(String eventId, Instant now) {
        return jdbc.sql(CANCEL_UNSENT).params(Db.ts(now), eventId).update();
    }

    /**
     * Leases up to {@code limit} due deliveries of one connector, oldest due first, and returns them with their
     * events: pending ones nobody holds, and ones whose lease ran out because their worker or instance died mid-send.
     * A leased delivery stays {@code pending}; the lease is its token and expiry, columns no index holds, so taking it
     * rewrites the row in place (a heap-only update on PostgreSQL) instead of adding an entry to every index. Safe
     * between instances: the lease's conditions are checked again on each locked row.
     */
    public List<Claimed> claim(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        return claim(connector, limit, null, now, leaseUntil, token);
    }

    /** The same, looking only at deliveries due from {@code from} on ({@code null}: from the earliest). */
    public List<Claimed> claim(
            String connector, int limit, Instant from, Instant now, Instant leaseUntil, String token) {
        return claim(connector, limit, from, false, now, leaseUntil, token);
    }

    /** The same, taking only retries (deliveries with an attempt before), due from the earliest on. */
    public List<Claimed> claimRetries(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        return claim(connector, limit, null, true, now, leaseUntil, token);
    }

    /** The claim: from {@code from} on when given, only retries when {@code retries}. */
    abstract List<Claimed> claim(
            String connector, int limit, Instant from, boolean retries, Instant now, Instant leaseUntil, String token);

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
        Set<String> moved = moveOn(finished);
        List<Finished> kept = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (Finished f : finished) {
            if (moved.contains(f.deliveryId())) {
                kept.add(f);
            } else {
                lost.add(f.deliveryId());
            }
        }
        bulk.insertAll("delivery_attempt", ATTEMPT, kept);
        return lost;
    }

    /**
     * Moves each delivery to its next state where this lease still holds it; returns the ids it moved. A delivery
     * cancelled while its attempt ran (the cart was recovered) stays cancelled, unless that attempt delivered it:
     * then it went out, and the record says so.
     */
    abstract Set<String> moveOn(List<Finished> finished);

    /**
     * Cancels one leased delivery of an event cancelled meanwhile, without an attempt, if this lease still holds it
     * (a replay of a recovered cart's abandonment, say).
     */
    public void cancelLeased(String deliveryId, String token, Instant now) {
        jdbc.sql(CANCEL_LEASED).params(Db.ts(now), deliveryId, token).update();
    }

    /**
     * Suppresses one leased delivery without an attempt, if this lease still holds it: the privacy policy withholds
     * it now (the buyer unsubscribed after it was written).
     */
    public void suppressLeased(String deliveryId, String token, String reason, Instant now) {
        jdbc.sql(SUPPRESS_LEASED)
                .params(Db.ts(now), Db.clip(reason, 2000), deliveryId, token)
                .update();
    }

    /** Returns one leased delivery to pending without an attempt, if this lease still holds it. */
    public void releaseOne(String deliveryId, String token) {
        jdbc.sql(RELEASE).params(deliveryId, token).update();
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
        int[] released = jdbcTemplate
                .batchUpdate(RELEASE, rows, rows.size(), (ps, lease) -> {
                    ps.setString(1, lease.getKey());
                    ps.setString(2, lease.getValue());
                })[0];
        return Arrays.stream(released).sum();
    }

    /** Per connector: deliveries waiting (pending, in flight included), the creation time of the oldest, and dead letters. */
    public record Backlog(long pending, Instant oldestPending, long dead) {
        public static final Backlog EMPTY = new Backlog(0, null, 0);
    }

    public Map<String, Backlog> backlog() {
        Map<String, Backlog> result = new HashMap<>();
        jdbc.sql(BACKLOG).query((ResultSet rs) -> {
            result.put(
                    rs.getString("connector"),
                    new Backlog(rs.getLong("pending"), Db.instant(rs, "oldest"), rs.getLong("dead")));
        });
        return result;
    }

    static Claimed claimed(ResultSet rs, int n) throws SQLException {
        return new Claimed(
                rs.getString("id"),
                rs.getString("event_id"),
                rs.getString("type"),
                rs.getString("connector"),
                rs.getInt("attempts"),
                rs.getInt("throttled"),
                Db.instant(rs, "created_at"),
                rs.getString("payload"),
                rs.getInt("step"),
                rs.getInt("progress"),
                Db.instant(rs, "next_attempt_at"),
                rs.getString("checkout_id"),
                rs.getString("email"),
                rs.getString("trace_parent"));
    }
}
