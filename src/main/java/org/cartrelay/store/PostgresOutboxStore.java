package org.cartrelay.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The outbox on PostgreSQL. A claim returns the leased rows with their events from a data-modifying {@code with}, all
 * in one snapshot. The due rows are chosen first, skipping rows another claim holds locked ({@code skip locked}: the
 * instances sharing the database never wait for one another), and the update finds each by its id; their status
 * comes along as data, so that the update's own conditions do not match the pending index's. Written with {@code id in (…)} and a
 * constant status, a plan made while statistics counted few pending deliveries could walk the whole pending index for
 * the update and choose the batch again for every row it met.
 */
class PostgresOutboxStore extends OutboxStore {

    /** Due deliveries of a connector from the earliest on. */
    static final String CLAIM = """
            with c as (select id, status from delivery
                       where connector = ? and status = 'pending' and next_attempt_at <= ?
                         and (lease_until is null or lease_until < ?)
                       order by next_attempt_at limit ? for update skip locked),
                 l as (update delivery d set lease_token = ?, lease_until = ?
                       from c
                       where d.id = c.id and d.status = c.status and d.next_attempt_at <= ?
                         and (d.lease_until is null or d.lease_until < ?)
                       returning d.id, d.event_id, d.connector, d.attempts, d.throttled, d.step, d.progress,
                                 d.next_attempt_at)
            select l.id, l.event_id, e.type, l.connector, l.attempts, l.throttled, e.created_at, e.payload, l.step,
                   l.progress, l.next_attempt_at, e.checkout_id, e.email, e.trace_parent\
             from l join outbound_event e on e.id = l.event_id order by l.next_attempt_at""";
    /** Due deliveries of a connector from a due time on. */
    static final String CLAIM_FROM = """
            with c as (select id, status from delivery
                       where connector = ? and status = 'pending' and next_attempt_at <= ? and next_attempt_at >= ?
                         and (lease_until is null or lease_until < ?)
                       order by next_attempt_at limit ? for update skip locked),
                 l as (update delivery d set lease_token = ?, lease_until = ?
                       from c
                       where d.id = c.id and d.status = c.status and d.next_attempt_at <= ?
                         and (d.lease_until is null or d.lease_until < ?)
                       returning d.id, d.event_id, d.connector, d.attempts, d.throttled, d.step, d.progress,
                                 d.next_attempt_at)
            select l.id, l.event_id, e.type, l.connector, l.attempts, l.throttled, e.created_at, e.payload, l.step,
                   l.progress, l.next_attempt_at, e.checkout_id, e.email, e.trace_parent\
             from l join outbound_event e on e.id = l.event_id order by l.next_attempt_at""";
    /** Due retries of a connector (deliveries with an attempt before). */
    static final String CLAIM_RETRIES = """
            with c as (select id, status from delivery
                       where connector = ? and status = 'pending' and next_attempt_at <= ? and attempts > 0
                         and (lease_until is null or lease_until < ?)
                       order by next_attempt_at limit ? for update skip locked),
                 l as (update delivery d set lease_token = ?, lease_until = ?
                       from c
                       where d.id = c.id and d.status = c.status and d.next_attempt_at <= ?
                         and (d.lease_until is null or d.lease_until < ?)
                       returning d.id, d.event_id, d.connector, d.attempts, d.throttled, d.step, d.progress,
                                 d.next_attempt_at)
            select l.id, l.event_id, e.type, l.connector, l.attempts, l.throttled, e.created_at, e.payload, l.step,
                   l.progress, l.next_attempt_at, e.checkout_id, e.email, e.trace_parent\
             from l join outbound_event e on e.id = l.event_id order by l.next_attempt_at""";

    /** A finished delivery's next state, joined to its row by id and lease token. */
    static final List<Db.Column<Finished>> MOVED = List.of(
            Db.column("id", "varchar", Finished::deliveryId),
            Db.column("lease_token", "varchar", Finished::leaseToken),
            Db.column("status", "varchar", f -> f.nextStatus().column()),
            Db.column("attempts", "integer", Finished::attempt),
            Db.column("next_attempt_at", "timestamptz", f -> Db.ts(f.nextAttemptAtOrNow())),
            Db.column("last_error", "varchar", f -> Db.clip(f.lastError(), 2000)),
            Db.column("delivered_at", "timestamptz", f -> Db.ts(f.deliveredAt())),
            Db.column("dead_at", "timestamptz", f -> Db.ts(f.deadAt())),
            Db.column("progress", "integer", Finished::progress),
            Db.column("throttled", "integer", Finished::throttled));
    /** The batch's next states as {@link #MOVED}'s arrays, joined to their rows. */
    static final String MOVE_ON = """
            update delivery d set status = case when d.status = 'cancelled' and v.status <> 'delivered'
                                                then d.status else v.status end,
                   attempts = v.attempts, next_attempt_at = v.next_attempt_at,
                   lease_token = null, lease_until = null,
                   last_error = case when d.status = 'cancelled' and v.status <> 'delivered'
                                     then d.last_error else v.last_error end,
                   delivered_at = v.delivered_at,
                   dead_at = case when d.status = 'cancelled' then null else v.dead_at end,
                   progress = v.progress, throttled = v.throttled
            from unnest(?::varchar[], ?::varchar[], ?::varchar[], ?::integer[], ?::timestamptz[], ?::varchar[],\
             ?::timestamptz[], ?::timestamptz[], ?::integer[], ?::integer[])\
             as v(id, lease_token, status, attempts, next_attempt_at, last_error, delivered_at, dead_at, progress,\
             throttled)
            where d.id = v.id and d.lease_token = v.lease_token
            returning d.id""";

    PostgresOutboxStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        super(jdbc, jdbcTemplate, bulk);
    }

    @Override
    List<Claimed> claim(
            String connector, int limit, Instant from, boolean retries, Instant now, Instant leaseUntil, String token) {
        List<Object> params = new ArrayList<>(List.of(connector, Db.ts(now)));
        if (from != null) {
            params.add(Db.ts(from));
        }
        params.addAll(List.of(Db.ts(now), limit, token, Db.ts(leaseUntil), Db.ts(now), Db.ts(now)));
        String sql = retries ? CLAIM_RETRIES : from == null ? CLAIM : CLAIM_FROM;
        return jdbc.sql(sql).params(params).query(OutboxStore::claimed).list();
    }

    /** One update joined to the batch's columns as arrays: one plan instead of one per delivery. */
    @Override
    Set<String> moveOn(List<Finished> finished) {
        return new HashSet<>(jdbcTemplate.query(
                MOVE_ON, ps -> PostgresBulkInsert.setArrays(ps, 1, MOVED, finished), (rs, n) -> rs.getString(1)));
    }
}
