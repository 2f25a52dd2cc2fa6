package org.cartrelay.connectors.http;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Optional;

import org.cartrelay.event.OutboundEvent;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The ids vendors gave to what a connector created (table {@code connector_ref}), e.g. the ticket opened for an
 * abandoned checkout, found again when the same checkout is recovered. The key is the source and source event id,
 * which {@code checkout.abandoned} and {@code checkout.recovered} of one checkout share; it holds no personal data.
 */
@Repository
public class ExternalRefs {

    private final JdbcClient jdbc;
    private final Clock clock;

    public ExternalRefs(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** The key both outbound events of one checkout share. */
    public static String keyOf(OutboundEvent event) {
        return event.source() + ":" + event.sourceEventId();
    }

    public Optional<String> find(String connector, String eventKey) {
        return jdbc.sql("select external_id from connector_ref where connector = ? and event_key = ?")
                .params(connector, eventKey)
                .query(String.class)
                .optional();
    }

    /** Remembers the id; a later id for the same key replaces the earlier one. */
    public void save(String connector, String eventKey, String externalId) {
        int updated = jdbc.sql(
                        "update connector_ref set external_id = ?, created_at = ? where connector = ? and event_key = ?")
                .params(externalId, clock.instant().atOffset(ZoneOffset.UTC), connector, eventKey)
                .update();
        if (updated == 0) {
            try {
                jdbc.sql(
                                "insert into connector_ref (connector, event_key, external_id, created_at) values (?, ?, ?, ?)")
                        .params(connector, eventKey, externalId, clock.instant().atOffset(ZoneOffset.UTC))
                        .update();
            } catch (DuplicateKeyException raced) {
                save(connector, eventKey, externalId);
            }
        }
    }
}
