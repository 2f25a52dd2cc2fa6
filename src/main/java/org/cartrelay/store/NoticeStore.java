package org.cartrelay.store;

import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Received notifications; the unique (source, source_event_id) constraint is what makes intake idempotent. */
@Repository
public class NoticeStore {

    private final JdbcClient jdbc;

    public NoticeStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(String id, String source, String sourceEventId, Instant receivedAt, String eventType,
            String email, String rawBody, String canonical, String outcome, String reason) {
        jdbc.sql("""
                insert into notice (id, source, source_event_id, received_at, event_type, email, raw_body, canonical,
                                    outcome, reason)
                values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(id, source, Db.clip(sourceEventId, 255), Db.ts(receivedAt), eventType, email, rawBody,
                        canonical, outcome, Db.clip(reason, 1000))
                .update();
    }

    public Optional<String> findId(String source, String sourceEventId) {
        return jdbc.sql("select id from notice where source = ? and source_event_id = ?")
                .params(source, Db.clip(sourceEventId, 255))
                .query(String.class)
                .optional();
    }
}
