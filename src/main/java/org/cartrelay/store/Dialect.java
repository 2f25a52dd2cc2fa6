package org.cartrelay.store;

import java.util.Locale;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Which database the hub's store is, asked once: the stores write a few hot statements in PostgreSQL's own form
 * (a batch's columns as arrays joined with {@code unnest}, {@code returning}) and in a portable one for H2.
 */
@Component
public class Dialect {

    private final JdbcTemplate jdbc;
    private volatile Boolean postgres;

    public Dialect(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public boolean postgres() {
        Boolean known = postgres;
        if (known == null) {
            known = jdbc.execute((ConnectionCallback<Boolean>) connection ->
                    connection.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres"));
            postgres = known;
        }
        return known;
    }
}
