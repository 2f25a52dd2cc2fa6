package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
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
    public static final String SENDING = "sending";
    public static final String DELIVERED = "delivered";
    public static final String DEAD = "dead";
    public static final String CANCELLED = "cancelled";
    public static final String SUPPRESSED = "suppressed";

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    public OutboxStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    /** A leased delivery: its step (0 unless the connector sends in steps) and how many calls already succeeded. */
    public record Claimed(String id, String eventId, String eventType, String connector, int attempts,
            Instant eventCreatedAt, String payload, int step, int progress) {
    }

    public record Attempt(int statusCode, String outcome, String error, String responseBody, long durationMs) {
    }

    /** One finished attempt waiting to be written: the attempt row and the delivery's next state. */
    public record Finished(String deliveryId, String leaseToken, int attempt, Instant startedAt, Attempt result,
            String nextStatus, Instant nextAttemptAt, int progress) {
    }

    public record EventRow(String id, String type, String checkoutId, String email, String payload) {
    }

    /**
     * A delivery to create: pending, or suppressed with its reason (policy withholds it; never silently dropped).
     * A connector that sends in steps gets one row per step, each due after its delay.
     */
    public record DeliveryRow(String id, String eventId, String connector, String status, String reason, int step,
            java.time.Duration delay) {

        public DeliveryRow(String id, String eventId, String connector, String status, String reason) {
            this(id, eventId, connector, status, reason, 0, java.time.Duration.ZERO);
        }
    }

    /** Writes outbound events and their deliveries, with multi-row inserts. */
    public void insert(List<EventRow> events, List<DeliveryRow> deliveries, Instant now) {
        Db.insertAll(jdbcTemplate, "insert into outbound_event (id, type, checkout_id, email, created_at, payload)", 6,
                events, (ps, c, e) -> {
                    ps.setString(c, e.id());
                    ps.setString(c + 1, e.type());
                    ps.setString(c + 2, e.checkoutId());
                    ps.setString(c + 3, e.email());
                    ps.setObject(c + 4, Db.ts(now));
                    ps.setString(c + 5, e.payload());
                });
        Db.insertAll(jdbcTemplate, """
                insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at, last_error,
                                      step)""", 9, deliveries, (ps, c, d) -> {
            ps.setString(c, d.id());
            ps.setString(c + 1, d.eventId());
            ps.setString(c + 2, d.connector());
            ps.setString(c + 3, d.status());
            ps.setInt(c + 4, 0);
            ps.setObject(c + 5, Db.ts(now));
            ps.setObject(c + 6, Db.ts(now.plus(d.delay())));
            ps.setString(c + 7, Db.clip(d.reason(), 2000));
            ps.setInt(c + 8, d.step());
        });
    }

    /** Deliveries of an event that have not gone out yet are cancelled (an abandoned cart that was recovered). */
    public int cancelUnsent(String eventId, Instant now) {
        return jdbc.sql("""
                update delivery set status = 'cancelled', last_error = 'The cart was recovered before this was sent.',
                       lease_token = null, lease_until = null, next_attempt_at = ?
                where event_id = ? and status = 'pending'""")
                .params(Db.ts(now), eventId)
                .update();
    }

    /**
     * Leases up to {@code limit} due pending deliveries of one connector, oldest due first. Portable SQL, safe
     * between instances: the outer condition is re-checked on the locked row. The inner query walks the
     * (connector, next_attempt_at) index of pending rows and stops after {@code limit}.
     */
    public List<Claimed> claim(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        int claimed = jdbc.sql("""
                update delivery set status = 'sending', lease_token = ?, lease_until = ?
                where status = 'pending' and next_attempt_at <= ?
                  and id in (select id from delivery
                             where connector = ? and status = 'pending' and next_attempt_at <= ?
                             order by next_attempt_at limit ?)""")
                .params(token, Db.ts(leaseUntil), Db.ts(now), connector, Db.ts(now), limit)
                .update();
        return claimed == 0 ? List.of() : leased(token);
    }

    /** Leases again up to {@code limit} deliveries whose lease ran out: their worker or instance died mid-send. */
    public List<Claimed> claimExpired(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        int claimed = jdbc.sql("""
                update delivery set lease_token = ?, lease_until = ?
                where status = 'sending' and lease_until < ?
                  and id in (select id from delivery
                             where connector = ? and status = 'sending' and lease_until < ?
                             order by lease_until limit ?)""")
                .params(token, Db.ts(leaseUntil), Db.ts(now), connector, Db.ts(now), limit)
                .update();
        return claimed == 0 ? List.of() : leased(token);
    }

    private List<Claimed> leased(String token) {
        return jdbc.sql("""
                select d.id, d.event_id, e.type, d.connector, d.attempts, e.created_at, e.payload, d.step, d.progress
                from delivery d join outbound_event e on e.id = d.event_id
                where d.lease_token = ?""")
                .param(token)
                .query(this::claimed)
                .list();
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
        int[] updated = jdbcTemplate.batchUpdate("""
                update delivery set status = ?, attempts = ?, next_attempt_at = ?, lease_token = null,
                       lease_until = null, last_error = ?, delivered_at = ?, dead_at = ?, progress = ?
                where id = ? and lease_token = ?""", finished, finished.size(), (ps, f) -> {
            ps.setString(1, f.nextStatus());
            ps.setInt(2, f.attempt());
            ps.setObject(3, Db.ts(f.nextAttemptAt() == null ? f.startedAt() : f.nextAttemptAt()));
            ps.setString(4, Db.clip(f.result().error(), 2000));
            ps.setObject(5, DELIVERED.equals(f.nextStatus()) ? Db.ts(f.startedAt()) : null);
            ps.setObject(6, DEAD.equals(f.nextStatus()) ? Db.ts(f.startedAt()) : null);
            ps.setInt(7, f.progress());
            ps.setString(8, f.deliveryId());
            ps.setString(9, f.leaseToken());
        })[0];
        List<Finished> kept = new ArrayList<>();
        List<String> lost = new ArrayList<>();
        for (int i = 0; i < finished.size(); i++) {
            if (updated[i] == 0) {
                lost.add(finished.get(i).deliveryId());
            } else {
                kept.add(finished.get(i));
            }
        }
        Db.insertAll(jdbcTemplate, """
                insert into delivery_attempt (delivery_id, attempt, attempted_at, duration_ms, status_code, outcome,
                                              error, response_body)""", 8, kept, (ps, c, f) -> {
            ps.setString(c, f.deliveryId());
            ps.setInt(c + 1, f.attempt());
            ps.setObject(c + 2, Db.ts(f.startedAt()));
            ps.setLong(c + 3, f.result().durationMs());
            ps.setObject(c + 4, f.result().statusCode() > 0 ? f.result().statusCode() : null, java.sql.Types.INTEGER);
            ps.setString(c + 5, f.result().outcome());
            ps.setString(c + 6, Db.clip(f.result().error(), 2000));
            ps.setString(c + 7, Db.clip(f.result().responseBody(), 2000));
        });
        return lost;
    }

    /** Returns one leased delivery to pending without an attempt, if this lease still holds it. */
    public void releaseOne(String deliveryId, String token) {
        jdbc.sql("""
                update delivery set status = 'pending', lease_token = null, lease_until = null
                where id = ? and lease_token = ? and status = 'sending'""")
                .params(deliveryId, token)
                .update();
    }

    /** Returns deliveries leased under these tokens to pending, e.g. at shutdown; they keep their attempt count. */
    public int release(java.util.Collection<String> tokens) {
        int released = 0;
        for (String token : tokens) {
            released += jdbc.sql("""
                    update delivery set status = 'pending', lease_token = null, lease_until = null
                    where lease_token = ? and status = 'sending'""")
                    .param(token)
                    .update();
        }
        return released;
    }

    /** Per connector: deliveries waiting (pending or in flight), the creation time of the oldest, and dead letters. */
    public record Backlog(long pending, Instant oldestPending, long dead) {
        public static final Backlog EMPTY = new Backlog(0, null, 0);
    }

    public Map<String, Backlog> backlog() {
        Map<String, Backlog> result = new HashMap<>();
        // one branch per status, so each can walk that status's own (partial) index
        jdbc.sql("""
                select connector, sum(waiting) as pending, min(oldest) as oldest, sum(dead) as dead
                from (select connector, count(*) as waiting, min(created_at) as oldest, 0 as dead
                      from delivery where status = 'pending' group by connector
                      union all
                      select connector, count(*), min(created_at), 0
                      from delivery where status = 'sending' group by connector
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
                rs.getString("connector"), rs.getInt("attempts"), Db.instant(rs, "created_at"), rs.getString("payload"),
                rs.getInt("step"), rs.getInt("progress"));
    }
}
