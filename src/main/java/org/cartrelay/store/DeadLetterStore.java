package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.cartrelay.support.Ids;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * Dead letters are deliveries in status {@code dead}: the outbound payload (through the event), the connector,
 * every attempt and why it died. A replay is a new delivery of the same event (same id, so receivers can still
 * drop duplicates) with {@code replay_of} pointing at the dead one, which becomes {@code replayed}.
 */
@Repository
public class DeadLetterStore {

    private final JdbcClient jdbc;

    public DeadLetterStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record DeadLetter(
            String id,
            String eventId,
            String eventType,
            String connector,
            int attempts,
            Instant createdAt,
            Instant deadAt,
            String reason,
            String payload,
            String replayOf,
            List<AttemptRow> attemptLog) {}

    public record AttemptRow(
            int attempt,
            Instant at,
            Integer statusCode,
            String outcome,
            String error,
            String responseBody,
            long durationMs) {}

    /** Dead letters, newest first, optionally of one connector and within [from, to) of their death. */
    public List<DeadLetter> list(String connector, Instant from, Instant to, int limit, int offset) {
        StringBuilder sql = new StringBuilder("""
                select d.id, d.event_id, e.type, d.connector, d.attempts, d.created_at, d.dead_at, d.last_error,
                       e.payload, d.replay_of
                from delivery d join outbound_event e on e.id = d.event_id
                where d.status = 'dead'""");
        List<Object> params = new ArrayList<>();
        filter(sql, params, connector, from, to);
        sql.append(" order by d.dead_at desc, d.id limit ? offset ?");
        params.add(limit);
        params.add(offset);
        List<DeadLetter> letters =
                jdbc.sql(sql.toString()).params(params).query(this::letter).list();
        return letters.stream().map(this::withAttempts).toList();
    }

    public Optional<DeadLetter> find(String id) {
        return jdbc.sql("""
                select d.id, d.event_id, e.type, d.connector, d.attempts, d.created_at, d.dead_at, d.last_error,
                       e.payload, d.replay_of
                from delivery d join outbound_event e on e.id = d.event_id
                where d.status = 'dead' and d.id = ?""").param(id).query(this::letter).optional().map(this::withAttempts);
    }

    public long count(String connector) {
        return jdbc.sql("select count(*) from delivery where status = 'dead' and connector = ?")
                .param(connector)
                .query(Long.class)
                .single();
    }

    /**
     * Replays the selected dead letters; returns the ids of the new deliveries. The abandonment of a cart that was
     * recovered since is not sent again (a target would end in "abandoned" after "recovered"): its replay is written
     * cancelled, with that reason.
     */
    @Transactional
    public List<String> replay(String id, String connector, Instant from, Instant to, Instant now) {
        StringBuilder sql = new StringBuilder("""
                select d.id, d.event_id, d.connector, d.step,
                       case when e.type = 'checkout.abandoned' and c.status = 'recovered' then 1 else 0 end
                from delivery d join outbound_event e on e.id = d.event_id left join checkout c on c.id = e.checkout_id
                where d.status = 'dead'""");
        List<Object> params = new ArrayList<>();
        if (id != null) {
            sql.append(" and d.id = ?");
            params.add(id);
        }
        filter(sql, params, connector, from, to);
        sql.append(" order by d.dead_at");
        List<String[]> dead = jdbc.sql(sql.toString())
                .params(params)
                .query((rs, n) -> new String[] {
                    rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)
                })
                .list();
        List<String> created = new ArrayList<>();
        for (String[] letter : dead) {
            int claimed = jdbc.sql("update delivery set status = 'replayed' where id = ? and status = 'dead'")
                    .param(letter[0])
                    .update();
            if (claimed == 1) {
                boolean recovered = letter[4].equals("1");
                String newId = Ids.next("dlv");
                jdbc.sql("""
                        insert into delivery (id, event_id, connector, status, attempts, created_at, next_attempt_at,
                                              replay_of, step, last_error)
                        values (?, ?, ?, ?, 0, ?, ?, ?, ?, ?)""")
                        .params(
                                newId,
                                letter[1],
                                letter[2],
                                recovered ? "cancelled" : "pending",
                                Db.ts(now),
                                Db.ts(now),
                                letter[0],
                                Integer.parseInt(letter[3]),
                                recovered ? "The cart was recovered since; its abandonment is not sent again." : null)
                        .update();
                created.add(newId);
            }
        }
        return created;
    }

    private static void filter(StringBuilder sql, List<Object> params, String connector, Instant from, Instant to) {
        if (connector != null) {
            sql.append(" and d.connector = ?");
            params.add(connector);
        }
        if (from != null) {
            sql.append(" and d.dead_at >= ?");
            params.add(Db.ts(from));
        }
        if (to != null) {
            sql.append(" and d.dead_at < ?");
            params.add(Db.ts(to));
        }
    }

    private DeadLetter withAttempts(DeadLetter letter) {
        List<AttemptRow> attempts = jdbc.sql("""
                select attempt, attempted_at, status_code, outcome, error, response_body, duration_ms
                from delivery_attempt where delivery_id = ? order by attempt""")
                .param(letter.id())
                .query((rs, n) -> new AttemptRow(
                        rs.getInt("attempt"),
                        Db.instant(rs, "attempted_at"),
                        (Integer) rs.getObject("status_code", Integer.class),
                        rs.getString("outcome"),
                        rs.getString("error"),
                        rs.getString("response_body"),
                        rs.getLong("duration_ms")))
                .list();
        return new DeadLetter(
                letter.id(),
                letter.eventId(),
                letter.eventType(),
                letter.connector(),
                letter.attempts(),
                letter.createdAt(),
                letter.deadAt(),
                letter.reason(),
                letter.payload(),
                letter.replayOf(),
                attempts);
    }

    private DeadLetter letter(ResultSet rs, int n) throws SQLException {
        return new DeadLetter(
                rs.getString("id"),
                rs.getString("event_id"),
                rs.getString("type"),
                rs.getString("connector"),
                rs.getInt("attempts"),
                Db.instant(rs, "created_at"),
                Db.instant(rs, "dead_at"),
                rs.getString("last_error"),
                rs.getString("payload"),
                rs.getString("replay_of"),
                List.of());
    }
}
