package org.cartrelay.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * The coupon pool: codes loaded from the pool file, each claimed at most once by a guarded update ({@code where
 * claimed_at is null}), so two transactions or two hub instances never get the same code.
 */
@Repository
public class CouponStore {

    /** Free codes read per claim; a claim that loses all of them to others reads again. */
    private static final int CANDIDATES = 8;

    private final JdbcClient jdbc;
    private final JdbcTemplate jdbcTemplate;

    public CouponStore(JdbcClient jdbc, JdbcTemplate jdbcTemplate) {
        this.jdbc = jdbc;
        this.jdbcTemplate = jdbcTemplate;
    }

    /**
     * Adds the codes not yet known, after those already loaded; a code already in the table (claimed or not) is left
     * as it is, so reloading the file never frees a code.
     *
     * @return how many codes were added
     */
    public int load(List<String> codes) {
        Set<String> known = new HashSet<>(
                jdbc.sql("select code from coupon_code").query(String.class).list());
        List<String> fresh =
                codes.stream().filter(code -> !known.contains(code)).distinct().toList();
        if (fresh.isEmpty()) {
            return 0;
        }
        int next = jdbc.sql("select coalesce(max(position), 0) from coupon_code")
                        .query(Integer.class)
                        .single()
                + 1;
        List<Object[]> rows = new ArrayList<>();
        for (String code : fresh) {
            rows.add(new Object[] {code, next++});
        }
        try {
            jdbcTemplate.batchUpdate("insert into coupon_code (code, position) values (?, ?)", rows);
            return rows.size();
        } catch (DuplicateKeyException anotherInstanceLoadedThem) {
            return 0;
        }
    }

    /**
     * Claims the next free code for a checkout. Each candidate is taken with an update that only succeeds while it
     * is still free; one that another transaction took first is skipped.
     */
    public Optional<String> claim(String checkoutId, Instant now) {
        while (true) {
            List<String> free = jdbc.sql(
                            "select code from coupon_code where claimed_at is null order by position limit ?")
                    .param(CANDIDATES)
                    .query(String.class)
                    .list();
            if (free.isEmpty()) {
                return Optional.empty();
            }
            // concurrent claimers read the same candidates; trying them in different orders spares most collisions
            free = new ArrayList<>(free);
            Collections.shuffle(free);
            for (String code : free) {
                if (jdbc.sql(
                                        "update coupon_code set claimed_at = ?, checkout_id = ? where code = ? and claimed_at is null")
                                .params(Db.ts(now), checkoutId, code)
                                .update()
                        == 1) {
                    return Optional.of(code);
                }
            }
        }
    }

    public long countFree() {
        return jdbc.sql("select count(*) from coupon_code where claimed_at is null")
                .query(Long.class)
                .single();
    }
}
