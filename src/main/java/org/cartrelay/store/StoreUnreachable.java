package org.cartrelay.store;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Whether an exception says the store could not be reached (no connection, a connection that broke, a commit or
 * rollback that failed) rather than that a statement was wrong: work that meets it is tried again later as a whole,
 * not split up or given up. A lock conflict or deadlock between two batches is transient too, but splitting the
 * batch resolves it.
 */
public final class StoreUnreachable {

    private StoreUnreachable() {}

    public static boolean is(Throwable e) {
        return e instanceof CannotGetJdbcConnectionException
                || e instanceof CannotCreateTransactionException
                || e instanceof DataAccessResourceFailureException
                || e instanceof TransientDataAccessResourceException
                || e instanceof TransactionSystemException;
    }
}
