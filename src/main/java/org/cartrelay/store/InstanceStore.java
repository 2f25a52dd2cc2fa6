package org.cartrelay.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The hub instances on this database ({@code hub_instance}) and their heartbeats. Heartbeats and the look for lapsed
 * ones use the database's clock, so instances whose clocks differ agree on whose heartbeat lapsed.
 */
@Repository
public class InstanceStore {

    /** How a stopped instance stopped: gracefully, or taken for gone when its heartbeat lapsed. */
    public static final String STOPPED = "stopped";

    public static final String GONE = "gone";

    private final JdbcClient jdbc;

    public InstanceStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** An instance as stored; {@code stoppedHow} is null while it runs. */
    public record Row(
            String id,
            String host,
            long pid,
            Instant startedAt,
            Instant heartbeatAt,
            Instant stoppedAt,
            String stoppedHow) {}

    /** The database's time now. */
    public Instant now() {
        return jdbc.sql("select current_timestamp")
                .query((rs, n) -> rs.getObject(1, OffsetDateTime.class).toInstant())
                .single();
    }

    /** Adds a running instance, or makes a stored one run again (it was taken for gone). */
    public void register(String id, String host, long pid) {
        int updated = jdbc.sql("update hub_instance set heartbeat_at = current_timestamp, stopped_at = null,"
                        + " stopped_how = null where id = ?")
                .param(id)
                .update();
        if (updated == 0) {
            jdbc.sql("insert into hub_instance (id, host, pid, started_at, heartbeat_at)"
                            + " values (?, ?, ?, current_timestamp, current_timestamp)")
                    .params(id, Db.clip(host, 255), pid)
                    .update();
        }
    }

    /** @return false when the instance is not running as far as the store knows (another took it for gone) */
    public boolean beat(String id) {
        return jdbc.sql("update hub_instance set heartbeat_at = current_timestamp where id = ? and stopped_at is null")
                        .param(id)
                        .update()
                == 1;
    }

    public void stopped(String id) {
        jdbc.sql("update hub_instance set stopped_at = current_timestamp, stopped_how = ? where id = ?"
                        + " and stopped_at is null")
                .params(STOPPED, id)
                .update();
    }

    /** Running instances other than {@code self} whose last heartbeat is before {@code before}. */
    public List<Row> lapsed(Instant before, String self) {
        return jdbc.sql("select * from hub_instance where stopped_at is null and heartbeat_at < ? and id <> ?")
                .params(Db.ts(before), self)
                .query((rs, n) -> row(rs))
                .list();
    }

    /**
     * Marks an instance whose heartbeat lapsed gone.
     *
     * @return false when another instance marked it first, or its heartbeat came back
     */
    public boolean markGone(String id, Instant lapsedBefore) {
        return jdbc.sql("update hub_instance set stopped_at = current_timestamp, stopped_how = ? where id = ?"
                                + " and stopped_at is null and heartbeat_at < ?")
                        .params(GONE, id, Db.ts(lapsedBefore))
                        .update()
                == 1;
    }

    /**
     * Releases the leases of pending deliveries whose token begins with {@code prefix} (letters, digits and
     * underscores only): they are due again at once, with their old due time.
     *
     * @return how many
     */
    public int releaseLeases(String prefix) {
        String pattern = prefix.replace("!", "!!").replace("_", "!_").replace("%", "!%") + "%";
        return jdbc.sql("update delivery set lease_token = null, lease_until = null"
                        + " where status = 'pending' and lease_token like ? escape '!'")
                .param(pattern)
                .update();
    }

    /** Forgets instances that stopped before {@code before}. */
    public int forget(Instant before) {
        return jdbc.sql("delete from hub_instance where stopped_at < ?")
                .param(Db.ts(before))
                .update();
    }

    /** Every instance known, running ones first, then the latest started first. */
    public List<Row> all() {
        return jdbc.sql("select * from hub_instance order by case when stopped_at is null then 0 else 1 end,"
                        + " started_at desc, id")
                .query((rs, n) -> row(rs))
                .list();
    }

    private static Row row(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(
                rs.getString("id"),
                rs.getString("host"),
                rs.getLong("pid"),
                Db.instant(rs, "started_at"),
                Db.instant(rs, "heartbeat_at"),
                Db.instant(rs, "stopped_at"),
                rs.getString("stopped_how"));
    }
}
