package org.cartrelay.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.SQLException;

import org.h2.tools.Server;

/**
 * A test database that a hub reaches only through a {@link TcpProxy}, so the test can take it away and bring it
 * back: an H2 TCP server of its own, or the machine's PostgreSQL.
 */
public final class ProxiedDatabase implements AutoCloseable {

    private final TestDatabase database;
    private final Server h2;
    private final TcpProxy proxy;

    private ProxiedDatabase(TestDatabase database, Server h2, TcpProxy proxy) {
        this.database = database;
        this.h2 = h2;
        this.proxy = proxy;
    }

    public static ProxiedDatabase start() throws IOException {
        TestDatabase database = TestDatabase.create();
        if (TestDatabase.isPostgres()) {
            return new ProxiedDatabase(database, null, new TcpProxy("127.0.0.1", 5432));
        }
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try {
            Server h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists")
                    .start();
            return new ProxiedDatabase(database, h2, new TcpProxy("127.0.0.1", port));
        } catch (SQLException e) {
            throw new IOException("The H2 TCP server did not start", e);
        }
    }

    public TcpProxy proxy() {
        return proxy;
    }

    /** A hub on this database, through the proxy, that gives up on a connection quickly while it is away. */
    public TestHub.Builder hub() {
        TestHub.Builder builder = TestHub.on(database)
                .property("spring.datasource.hikari.connection-timeout", "1000")
                .property("spring.datasource.hikari.validation-timeout", "500");
        if (h2 != null) {
            // an in-memory database is the JVM's, by name: each proxied one has its own
            builder.property(
                    "spring.datasource.url",
                    "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + "/mem:proxied-" + proxy.port()
                            + ";DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
            builder.property(
                    "spring.datasource.hikari.exception-override-class-name", H2BrokenConnections.class.getName());
        } else {
            builder.property(
                    "spring.datasource.url", database.url().replace("127.0.0.1:5432", "127.0.0.1:" + proxy.port()));
        }
        return builder;
    }

    @Override
    public void close() throws IOException {
        proxy.close();
        if (h2 != null) {
            h2.stop();
        }
        database.close();
    }
}
