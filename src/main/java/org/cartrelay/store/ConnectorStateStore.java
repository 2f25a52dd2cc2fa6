package org.cartrelay.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.boot.jdbc.DatabaseDriver;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.zaxxer.hikari.HikariDataSource;

/**
 * Pause and 410-disable decisions per connector, kept across restarts and shared by every instance on the database.
 * On PostgreSQL each change is also announced on the channel {@value #CHANNEL}, so that listening instances apply
 * it at once ({@link #listen}); the others read the table again at their poll.
 */
@Repository
public class ConnectorStateStore {

    /** The PostgreSQL notification channel of connector state changes; the payload is the connector's name. */
    public static final String CHANNEL = "cartrelay_connector_state";

    private final JdbcClient jdbc;
    private final DataSource dataSource;
    private final boolean postgres;

    public ConnectorStateStore(JdbcClient jdbc, DataSource dataSource, DatabaseDriver storeDatabase) {
        this.jdbc = jdbc;
        this.dataSource = dataSource;
        this.postgres = storeDatabase == DatabaseDriver.POSTGRESQL;
    }

    public record State(boolean paused, String disabledReason) {
        public static final State ACTIVE = new State(false, null);
    }

    /** A connector's stored state and when it was last saved. */
    public record Stored(State state, Instant updatedAt) {}

    public State load(String name) {
        Optional<State> state = jdbc.sql("select paused, disabled_reason from connector_state where name = ?")
                .param(name)
                .query((rs, n) -> new State(rs.getBoolean("paused"), rs.getString("disabled_reason")))
                .optional();
        return state.orElse(State.ACTIVE);
    }

    /** Every connector's stored state, by name; a connector without a row is active. */
    public Map<String, Stored> all() {
        Map<String, Stored> all = new LinkedHashMap<>();
        jdbc.sql("select name, paused, disabled_reason, updated_at from connector_state")
                .query(rs -> {
                    all.put(
                            rs.getString("name"),
                            new Stored(
                                    new State(rs.getBoolean("paused"), rs.getString("disabled_reason")),
                                    Db.instant(rs, "updated_at")));
                });
        return all;
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
                return;
            }
        }
        announce(name);
    }

    private void announce(String name) {
        if (postgres) {
            jdbc.sql("select pg_notify('" + CHANNEL + "', ?)")
                    .param(name)
                    .query((rs, n) -> 1)
                    .list();
        }
    }

    /**
     * A connector's target asked to wait until {@code until}: stored for the other instances (the later of two waits
     * wins) and announced. Nothing on H2, which is one instance.
     */
    public void holdUntil(String name, Instant until) {
        if (!postgres) {
            return;
        }
        jdbc.sql("""
                        insert into connector_wait (name, wait_until) values (?, ?)
                        on conflict (name) do update set wait_until = greatest(connector_wait.wait_until,
                                                                               excluded.wait_until)""").params(name, Db.ts(until)).update();
        announce(name);
    }

    /** The waits stored that last beyond {@code now}, by connector (none on H2). */
    public Map<String, Instant> waits(Instant now) {
        Map<String, Instant> waits = new LinkedHashMap<>();
        if (postgres) {
            jdbc.sql("select name, wait_until from connector_wait where wait_until > ?")
                    .param(Db.ts(now))
                    .query(rs -> {
                        waits.put(rs.getString("name"), Db.instant(rs, "wait_until"));
                    });
        }
        return waits;
    }

    /** Whether changes are announced, so that {@link #listen} is worth holding a connection for. */
    public boolean announces() {
        return postgres;
    }

    /**
     * A connection of the pool that listens on {@value #CHANNEL}; the caller waits on it with {@link Listener#await}
     * and closes it when it stops or the connection fails.
     */
    public Listener listen() throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(true);
            try (Statement statement = connection.createStatement()) {
                statement.execute("listen " + CHANNEL);
            }
            return new Listener(this, connection, connection.unwrap(PGConnection.class));
        } catch (SQLException | RuntimeException e) {
            evict(connection);
            throw e;
        }
    }

    /** Takes a connection that failed out of the pool, so that no one else gets it (and Hikari warns of nothing). */
    private void evict(Connection connection) {
        if (dataSource instanceof HikariDataSource hikari) {
            hikari.evictConnection(connection);
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // broken already
        }
    }

    /** A listening connection. */
    public static final class Listener implements AutoCloseable {
        private final ConnectorStateStore store;
        private final Connection connection;
        private final PGConnection pg;
        private boolean failed;

        private Listener(ConnectorStateStore store, Connection connection, PGConnection pg) {
            this.store = store;
            this.connection = connection;
            this.pg = pg;
        }

        /** Waits up to {@code millis} for a change; returns whether one was announced. */
        public boolean await(int millis) throws SQLException {
            try {
                PGNotification[] notifications = pg.getNotifications(Math.max(1, millis));
                return notifications != null && notifications.length > 0;
            } catch (SQLException | RuntimeException e) {
                failed = true;
                throw e;
            }
        }

        /** Gives a sound connection back to the pool, listening no more; takes a failed one out of it. */
        @Override
        public void close() {
            if (!failed) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("unlisten *");
                    connection.close();
                    return;
                } catch (SQLException e) {
                    // failed after all
                }
            }
            store.evict(connection);
        }
    }
}
