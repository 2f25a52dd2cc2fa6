package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL statements are written whole; these checks keep the copies in step: the claims differ only in their
 * one extra condition, and the move-on update joins exactly the columns it sets as arrays.
 */
class PostgresStatementsTest {

    @Test
    void theClaimsDifferOnlyInTheirExtraCondition() {
        assertThat(PostgresOutboxStore.CLAIM_FROM.replace(" and next_attempt_at >= ?", ""))
                .isEqualTo(PostgresOutboxStore.CLAIM);
        assertThat(PostgresOutboxStore.CLAIM_RETRIES.replace(" and attempts > 0", ""))
                .isEqualTo(PostgresOutboxStore.CLAIM);
    }

    @Test
    void theMoveOnJoinsTheColumnsItSets() {
        assertThat(PostgresOutboxStore.MOVE_ON)
                .contains("from " + PostgresBulkInsert.unnest(PostgresOutboxStore.MOVED, "v") + "\n");
    }
}
