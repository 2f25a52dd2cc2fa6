package org.cartrelay.store;

import java.util.List;

import org.cartrelay.testing.TestHub;
import org.springframework.transaction.support.TransactionTemplate;

/** PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) of a statement, run in a transaction that is rolled back. */
final class Explain {

    private Explain() {}

    /** The plan, as JSON. */
    static String plan(TestHub hub, String sql, Object... params) {
        return hub.bean(TransactionTemplate.class).execute(tx -> {
            String plan = hub.jdbc()
                    .sql("explain (analyze, buffers, format json) " + sql)
                    .params(params)
                    .query(String.class)
                    .single();
            tx.setRollbackOnly();
            return plan;
        });
    }

    /** The blocks the statement read, from shared buffers or from disk (its plan's top node counts its children's). */
    static long blocksRead(TestHub hub, String sql, Object... params) {
        String plan = plan(hub, sql, params);
        long blocks = 0;
        for (String key : List.of("\"Shared Hit Blocks\": ", "\"Shared Read Blocks\": ")) {
            int at = plan.indexOf(key) + key.length();
            int end = at;
            while (Character.isDigit(plan.charAt(end))) {
                end++;
            }
            blocks += Long.parseLong(plan.substring(at, end));
        }
        return blocks;
    }
}
