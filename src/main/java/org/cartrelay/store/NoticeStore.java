package org.cartrelay.store;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Received notifications; the unique (source, source_event_id) constraint is what makes intake idempotent. The insert
 * is {@link PostgresNoticeStore}'s or {@link H2NoticeStore}'s.
 */
@Repository
public abstract class NoticeStore {

    static final List<Db.Column<Row>> COLUMNS = List.of(
            Db.column("id", "varchar", Row::id),
            Db.column("source", "varchar", Row::source),
            Db.column("source_event_id", "varchar", row -> Db.clip(row.sourceEventId(), 255)),
            Db.column("received_at", "timestamptz", row -> Db.ts(row.receivedAt())),
            Db.column("event_type", "varchar", Row::eventType),
            Db.column("email", "varchar", Row::email),
            Db.column("raw_body", "varchar", Row::rawBody),
            Db.column("canonical", "varchar", Row::canonical),
            Db.column("outcome", "varchar", Row::outcome),
            Db.column("reason", "varchar", row -> Db.clip(row.reason(), 1000)));

    private static final String FIND_ID = "select id from notice where source = ? and source_event_id = ?";

    protected final JdbcClient jdbc;

    NoticeStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record Row(
            String id,
            String source,
            String sourceEventId,
            Instant receivedAt,
            String eventType,
            String email,
            String rawBody,
            String canonical,
            String outcome,
            String reason) {}

    /**
     * What inserting a batch of notices did: the ids of the notices it kept (not those whose (source, source event
     * id) was stored before, or earlier in the batch), and the checkouts it looked up alongside. Immutable.
     */
    public record Inserted(Set<String> keptIds, CheckoutsFound checkouts) {

        public Inserted {
            keptIds = Collections.unmodifiableSet(keptIds);
        }

        /** Whether this notice was kept. */
        public boolean kept(Row row) {
            return keptIds.contains(row.id());
        }
    }

    /**
     * Inserts the rows in one batch, skipping any whose (source, source event id) is already stored, including
     * a repeat earlier in the same batch.
     *
     * @return per row, whether it was inserted
     */
    public boolean[] insertNew(List<Row> rows) {
        Inserted inserted = insertNew(rows, CheckoutKeys.NONE);
        boolean[] kept = new boolean[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            kept[i] = inserted.kept(rows.get(i));
        }
        return kept;
    }

    /**
     * The same, and looks up the checkouts that opening the batch's checkouts needs: the intake's one call per batch
     * (on PostgreSQL one statement).
     */
    public abstract Inserted insertNew(List<Row> rows, CheckoutKeys lookAlongside);

    public Optional<String> findId(String source, String sourceEventId) {
        return jdbc.sql(FIND_ID)
                .params(source, Db.clip(sourceEventId, 255))
                .query(String.class)
                .optional();
    }
}
