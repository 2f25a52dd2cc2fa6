package org.cartrelay.store;

import java.time.Instant;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Pause and 410-disable decisions per connector, kept across restarts. */
@Repository
public class ConnectorStateStore {

    private final JdbcClient jdbc;

    public ConnectorStateStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public record State(boolean paused, String disabledReason) {
        public static final State ACTIVE = new State(false, null);
    }

    public State load(String name) {
        Optional<State> state = jdbc.sql("select paused, disabled_reason from connector_state where name = ?")
                .param(name)
                .query((rs, n) -> new State(rs.getBoolean("paused"), rs.getString("disabled_reason")))
                .optional();
        return state.orElse(State.ACTIVE);
    }

    public void save(String name, State state, Instant now) {
        int updated = jdbc.sql(
                        "update connector_state set paused = ?, disabled_reason = ?, updated_at = ? where name = ?")
                .params(state.paused(), Db.clip(state.disabledReason(), 2000), Db.ts(now), name)
                .update();
        if (updated == 0) {
            try {
                jdbc.sql("insert into connector_state (name, paused, disabled_reason, updated_at) values (?, ?, ?, ?)")
                        .params(name, state.paused(), Db.clip(state.disabledReason(), 2000), Db.ts(now))
                        .update();
            } catch (DuplicateKeyException raced) {
                save(name, state, now);
            }
        }
    }
}
