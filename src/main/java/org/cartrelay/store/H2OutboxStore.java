package org.cartrelay.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The outbox on H2. A claim returns the leased rows from a {@code final table}, and their events come with a second
 * statement: joined in one, H2 read the events before the update, which then leased deliveries committed in between
 * and left them out of the answer, to wait for their lease to run out.
 */
class H2OutboxStore extends OutboxStore {

    /** Due deliveries of a connector from the earliest on, re-checked on each locked row. */
    private static final String CLAIM = """
            select id, event_id, connector, attempts, throttled, step, progress, next_attempt_at from final table (\
            update delivery set lease_token = ?, lease_until = ?
            where status = 'pending' and next_attempt_at <= ? and (lease_until is null or lease_until < ?)
              and id in (select id from delivery
                         where connector = ? and status = 'pending' and next_attempt_at <= ?
                           and (lease_until is null or lease_until < ?)
                         order by next_attempt_at limit ?)) order by next_attempt_at""";
    /** Due deliveries of a connector from a due time on. */
    private static final String CLAIM_FROM = """
            select id, event_id, connector, attempts, throttled, step, progress, next_attempt_at from final table (\
            update delivery set lease_token = ?, lease_until = ?
            where status = 'pending' and next_attempt_at <= ? and (lease_until is null or lease_until < ?)
              and id in (select id from delivery
                         where connector = ? and status = 'pending' and next_attempt_at <= ? and next_attempt_at >= ?
                           and (lease_until is null or lease_until < ?)
                         order by next_attempt_at limit ?)) order by next_attempt_at""";
    /** Due retries of a connector (deliveries with an attempt before). */
    private static final String CLAIM_RETRIES = """
            select id, event_id, connector, attempts, throttled, step, progress, next_attempt_at from final table (\
            update delivery set lease_token = ?, lease_until = ?
            where status = 'pending' and next_attempt_at <= ? and (lease_until is null or lease_until < ?)
              and id in (select id from delivery
                         where connector = ? and status = 'pending' and next_attempt_at <= ? and attempts > 0
                           and (lease_until is null or lease_until < ?)
                         order by next_attempt_at limit ?)) order by next_attempt_at""";
    /** The claimed deliveries' events: their ids go in {@code %s}. */
    private static final String EVENTS =
            "select id, type, created_at, payload, checkout_id, email, trace_parent from outbound_event where id in (%s)";

    private static final String MOVE_ON = """
            update delivery set status = case when status = 'cancelled' and ? <> 'delivered' then status else ? end,
                   attempts = ?, next_attempt_at = ?, lease_token = null, lease_until = null,
                   last_error = case when status = 'cancelled' and ? <> 'delivered' then last_error else ? end,
                   delivered_at = ?, dead_at = case when status = 'cancelled' then null else ? end,
                   progress = ?, throttled = ?
            where id = ? and lease_token = ?""";

    H2OutboxStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate, BulkInsert bulk) {
        super(jdbc, jdbcTemplate, bulk);
    }

    @Override
    List<Claimed> claim(
            String connector, int limit, Instant from, boolean retries, Instant now, Instant leaseUntil, String token) {
        List<Object> params =
                new ArrayList<>(List.of(token, Db.ts(leaseUntil), Db.ts(now), Db.ts(now), connector, Db.ts(now)));
        if (from != null) {
            params.add(Db.ts(from));
        }
        params.addAll(List.of(Db.ts(now), limit));
        String sql = retries ? CLAIM_RETRIES : from == null ? CLAIM : CLAIM_FROM;
        List<Map<String, Object>> leased = jdbc.sql(sql).params(params).query().listOfRows();
        if (leased.isEmpty()) {
            return List.of();
        }
        List<Object> eventIds =
                leased.stream().map(row -> row.get("event_id")).distinct().toList();
        Map<Object, Map<String, Object>> events = new HashMap<>();
        jdbc.sql(EVENTS.formatted(CheckoutStore.placeholders(eventIds.size())))
                .params(eventIds)
                .query()
                .listOfRows()
                .forEach(event -> events.put(event.get("id"), event));
        List<Claimed> claimed = new ArrayList<>(leased.size());
        for (Map<String, Object> row : leased) {
            Map<String, Object> event = events.get(row.get("event_id"));
            claimed.add(new Claimed(
                    (String) row.get("id"),
                    (String) row.get("event_id"),
                    (String) event.get("type"),
                    (String) row.get("connector"),
                    ((Number) row.get("attempts")).intValue(),
                    ((Number) row.get("throttled")).intValue(),
                    instant(event.get("created_at")),
                    (String) event.get("payload"),
                    ((Number) row.get("step")).intValue(),
                    ((Number) row.get("progress")).intValue(),
                    instant(row.get("next_attempt_at")),
                    (String) event.get("checkout_id"),
                    (String) event.get("email"),
                    (String) event.get("trace_parent")));
        }
        return claimed;
    }

    private static Instant instant(Object timestamp) {
        return timestamp == null ? null : ((OffsetDateTime) timestamp).toInstant();
    }

    @Override
    Set<String> moveOn(List<Finished> finished) {
        int[] updated = jdbcTemplate
                .batchUpdate(MOVE_ON, finished, finished.size(), (ps, f) -> {
                    ps.setString(1, f.nextStatus().column());
                    ps.setString(2, f.nextStatus().column());
                    ps.setInt(3, f.attempt());
                    ps.setObject(4, Db.ts(f.nextAttemptAtOrNow()));
                    ps.setString(5, f.nextStatus().column());
                    ps.setString(6, Db.clip(f.lastError(), 2000));
                    ps.setObject(7, Db.ts(f.deliveredAt()));
                    ps.setObject(8, Db.ts(f.deadAt()));
                    ps.setInt(9, f.progress());
                    ps.setInt(10, f.throttled());
                    ps.setString(11, f.deliveryId());
                    ps.setString(12, f.leaseToken());
                })[0];
        Set<String> moved = new HashSet<>();
        for (int i = 0; i < updated.length; i++) {
            if (updated[i] > 0) {
                moved.add(finished.get(i).deliveryId());
            }
        }
        return moved;
    }
}
