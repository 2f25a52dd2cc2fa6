package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

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

    public OutboxStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Claimed(String id, String eventId, String eventType, String connector, int attempts,
            String payload) {
    }

    public record Attempt(int statusCode, String outcome, String error, String responseBody, long durationMs) {
    }

    public void insertEvent(String id, String type, String checkoutId, String email, Instant now, String payload) {
        jdbc.sql("insert into outbound_event (id, type, checkout_id, email, created_at, payload) values (?, ?, ?, ?, ?, ?)")
                .params(id, type, checkoutId, email, Db.ts(now), payload)
                .update();
    }

    public void insertDelivery(String id, String eventId, String connector, Instant now) {
        jdbc.sql("""
                insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at)
                values (?, ?, ?, 'pending', 0, ?, ?)""")
                .params(id, eventId, connector, Db.ts(now), Db.ts(now))
                .update();
    }

    /** A delivery that policy withholds is recorded with its reason, never silently dropped. */
    public void insertSuppressed(String id, String eventId, String connector, Instant now, String reason) {
        jdbc.sql("""
                insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at, last_error)
                values (?, ?, ?, 'suppressed', 0, ?, ?, ?)""")
                .params(id, eventId, connector, Db.ts(now), Db.ts(now), reason)
                .update();
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
     * Leases up to {@code limit} due deliveries of one connector: pending ones whose time has come, and ones whose
     * previous lease ran out (a worker or instance that died). Portable SQL, safe between instances: the outer
     * condition is re-checked on the locked row.
     */
    public List<Claimed> claim(String connector, int limit, Instant now, Instant leaseUntil, String token) {
        int claimed = jdbc.sql("""
                update delivery set status = 'sending', lease_token = ?, lease_until = ?
                where connector = ?
                  and ((status = 'pending' and next_attempt_at <= ?) or (status = 'sending' and lease_until < ?))
                  and id in (select id from delivery
                             where connector = ?
                               and ((status = 'pending' and next_attempt_at <= ?) or (status = 'sending' and lease_until < ?))
                             order by next_attempt_at limit ?)""")
                .params(token, Db.ts(leaseUntil), connector, Db.ts(now), Db.ts(now), connector, Db.ts(now), Db.ts(now),
                        limit)
                .update();
        if (claimed == 0) {
            return List.of();
        }
        return jdbc.sql("""
                select d.id, d.event_id, e.type, d.connector, d.attempts, e.payload
                from delivery d join outbound_event e on e.id = d.event_id
                where d.lease_token = ?""")
                .param(token)
                .query(this::claimed)
                .list();
    }

    /**
     * Records one attempt and the delivery's next state, but only while this worker still holds the lease.
     *
     * @return false when the lease was lost (the delivery was cancelled or claimed again meanwhile)
     */
    @Transactional
    public boolean recordAttempt(String deliveryId, String token, int attempt, Instant at, Attempt result,
            String nextStatus, Instant nextAttemptAt) {
        int updated = jdbc.sql("""
                update delivery set status = ?, attempts = ?, next_attempt_at = ?, lease_token = null,
                       lease_until = null, last_error = ?, delivered_at = ?
                where id = ? and lease_token = ?""")
                .params(nextStatus, attempt, Db.ts(nextAttemptAt == null ? at : nextAttemptAt),
                        Db.clip(result.error(), 2000), DELIVERED.equals(nextStatus) ? Db.ts(at) : null,
                        deliveryId, token)
                .update();
        if (updated == 0) {
            return false;
        }
        jdbc.sql("""
                insert into delivery_attempt (delivery_id, attempt, attempted_at, duration_ms, status_code, outcome,
                                              error, response_body)
                values (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(deliveryId, attempt, Db.ts(at), result.durationMs(),
                        result.statusCode() > 0 ? result.statusCode() : null, result.outcome(),
                        Db.clip(result.error(), 2000), Db.clip(result.responseBody(), 2000))
                .update();
        return true;
    }

    public long countByStatus(String connector, String status) {
        return jdbc.sql("select count(*) from delivery where connector = ? and status = ?")
                .params(connector, status)
                .query(Long.class)
                .single();
    }

    private Claimed claimed(ResultSet rs, int n) throws SQLException {
        return new Claimed(rs.getString("id"), rs.getString("event_id"), rs.getString("type"),
                rs.getString("connector"), rs.getInt("attempts"), rs.getString("payload"));
    }
}
