package org.cartrelay.testing;

import java.sql.SQLException;

import com.zaxxer.hikari.SQLExceptionOverride;

/**
 * Tells Hikari that an H2 TCP connection whose socket broke is dead. H2 reports it as "Database is already closed"
 * or "Connection is broken" (error codes 90121, 90067), not with a connection SQLSTATE (08…) as PostgreSQL's driver
 * does; without this, a pool kept busy reuses its broken connections and never reaches the database again.
 * Only the proxied test databases need it: the hub's own H2 is embedded.
 */
public final class H2BrokenConnections implements SQLExceptionOverride {

    @java.lang.Override
    public SQLExceptionOverride.Override adjudicate(SQLException e) {
        int code = e.getErrorCode();
        return code == 90121 || code == 90067
                ? SQLExceptionOverride.Override.MUST_EVICT
                : SQLExceptionOverride.Override.CONTINUE_EVICT;
    }
}
