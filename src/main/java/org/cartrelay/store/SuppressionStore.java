package org.cartrelay.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The suppression list: one row per unsubscribed buyer, keyed by the hash of their address; the address itself is
 * kept only until the buyer is erased. Neither retention nor erasure removes a row: only an admin does.
 */
@Repository
public class SuppressionStore {

    private static final int CHUNK = 500;

    private final JdbcTemplate jdbc;

    public SuppressionStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One unsubscribed buyer; {@code email} is null once they were erased. */
    public record Entry(String emailHash, String email, String source, String reason, Instant createdAt) {}

    /** Adds the buyer unless already listed (the first unsubscription stands). @return whether it was added */
    public boolean add(Entry entry) {
        try {
            return jdbc.update(
                            """
                    insert into suppression (email_hash, email, source, reason, created_at)
                    select cast(? as varchar(64)), cast(? as varchar(320)), cast(? as varchar(16)),
                           cast(? as varchar(500)), ? where not exists (select 1 from suppression where email_hash = ?)""",
                            entry.emailHash(),
                            entry.email(),
                            entry.source(),
                            Db.clip(entry.reason(), 500),
                            Db.ts(entry.createdAt()),
                            entry.emailHash())
                    > 0;
        } catch (DuplicateKeyException raced) {
            return false; // the same buyer, added at the same moment by another request
        }
    }

    public Entry find(String emailHash) {
        List<Entry> found =
                jdbc.query("select * from suppression where email_hash = ?", SuppressionStore::entry, emailHash);
        return found.isEmpty() ? null : found.get(0);
    }

    /** The listed ones among these hashes, by hash. */
    public Map<String, Entry> findAll(Collection<String> hashes) {
        Map<String, Entry> found = new HashMap<>();
        List<String> all = List.copyOf(hashes);
        for (int i = 0; i < all.size(); i += CHUNK) {
            List<String> chunk = all.subList(i, Math.min(all.size(), i + CHUNK));
            jdbc.query(
                            "select * from suppression where email_hash in ("
                                    + String.join(", ", Collections.nCopies(chunk.size(), "?")) + ")",
                            SuppressionStore::entry,
                            chunk.toArray())
                    .forEach(entry -> found.put(entry.emailHash(), entry));
        }
        return found;
    }

    /** Newest first, created within [from, to) when given. */
    public List<Entry> list(Instant from, Instant to, int limit, int offset) {
        List<Object> params = new ArrayList<>();
        String where = where(from, to, params);
        params.add(limit);
        params.add(offset);
        return jdbc.query(
                "select * from suppression" + where + " order by created_at desc, email_hash limit ? offset ?",
                SuppressionStore::entry,
                params.toArray());
    }

    public long count(Instant from, Instant to) {
        List<Object> params = new ArrayList<>();
        String where = where(from, to, params);
        return jdbc.queryForObject("select count(*) from suppression" + where, Long.class, params.toArray());
    }

    /** @return whether the buyer was listed */
    public boolean remove(String emailHash) {
        return jdbc.update("delete from suppression where email_hash = ?", emailHash) > 0;
    }

    private static String where(Instant from, Instant to, List<Object> params) {
        List<String> conditions = new ArrayList<>();
        if (from != null) {
            conditions.add("created_at >= ?");
            params.add(Db.ts(from));
        }
        if (to != null) {
            conditions.add("created_at < ?");
            params.add(Db.ts(to));
        }
        return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
    }

    private static Entry entry(ResultSet rs, int n) throws SQLException {
        return new Entry(
                rs.getString("email_hash"),
                rs.getString("email"),
                rs.getString("source"),
                rs.getString("reason"),
                Db.instant(rs, "created_at"));
    }
}
