package org.cartrelay.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * The database a test hub runs on: an H2 file in a temporary folder, or a fresh schema in the machine's real
 * PostgreSQL, chosen by the system property {@code cartrelay.test.db} (the build runs the suite once with each).
 * Without a reachable PostgreSQL the PostgreSQL run fails in CI and is skipped, with a notice, elsewhere.
 */
public final class TestDatabase implements AutoCloseable {

    public static final String KIND = System.getProperty("cartrelay.test.db", "h2");
    private static final String PG_URL =
            System.getProperty("cartrelay.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String PG_USER = System.getProperty("cartrelay.test.postgres.user", "postgres");

    private final String url;
    private final String user;
    private final String schema;

    private TestDatabase(String url, String user, String schema) {
        this.url = url;
        this.user = user;
        this.schema = schema;
    }

    public static boolean isPostgres() {
        return "postgres".equals(KIND);
    }

    public static TestDatabase create() {
        if (isPostgres()) {
            requirePostgres();
            String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
            return new TestDatabase(
                    PG_URL + (PG_URL.contains("?") ? "&" : "?") + "currentSchema=" + schema, PG_USER, schema);
        }
        try {
            Path dir = Files.createTempDirectory("cartrelay-h2");
            return new TestDatabase(
                    "jdbc:h2:file:" + dir.resolve("hub")
                            + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0",
                    "sa",
                    null);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void requirePostgres() {
        try (Connection ignored = DriverManager.getConnection(PG_URL, PG_USER, "")) {
            // reachable
        } catch (SQLException e) {
            String message = "PostgreSQL at " + PG_URL + " is not reachable (" + e.getMessage() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException(message + "; CI must run the suite on PostgreSQL too");
            }
            Assumptions.abort(message + "; the PostgreSQL run is skipped outside CI");
        }
    }

    /** Spring properties pointing a hub at this database. */
    public Map<String, Object> properties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", url);
        properties.put("spring.datasource.username", user);
        properties.put("spring.datasource.password", "");
        if (schema != null) {
            properties.put("spring.flyway.schemas", schema);
            properties.put("spring.flyway.default-schema", schema);
        }
        return properties;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    @Override
    public void close() {
        if (schema != null) {
            try (Connection connection = DriverManager.getConnection(PG_URL, PG_USER, "")) {
                connection.createStatement().execute("drop schema if exists " + schema + " cascade");
            } catch (SQLException e) {
                throw new IllegalStateException("Could not drop test schema " + schema, e);
            }
        }
    }
}
