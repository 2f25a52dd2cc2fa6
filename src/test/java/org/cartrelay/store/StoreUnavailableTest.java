package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;

import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.TcpProxy;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;

/**
 * When the database cannot be reached, intake answers 503 with Retry-After (the sender retries) and acknowledges
 * nothing it has not kept; once the database is back, the retried notice is accepted and nothing earlier is lost.
 */
class StoreUnavailableTest {

    @Test
    void intakeAnswers503WithRetryAfterWhileTheDatabaseIsUnreachable() throws Exception {
        try (Backend backend = Backend.start(); TcpProxy proxy = new TcpProxy("127.0.0.1", backend.port())) {
            try (TestHub hub = backend.hub(proxy.port())
                    .property("spring.datasource.hikari.connection-timeout", "1000")
                    .property("spring.datasource.hikari.validation-timeout", "500")
                    .start()) {
                String entry = Fixtures.form("digistore24/order-form-entry.form");
                String payment = Fixtures.form("digistore24/on-payment.form");
                assertThat(hub.postForm("/ipn/digistore24", entry).statusCode()).isEqualTo(200);

                proxy.down();
                HttpResponse<String> refused = hub.postForm("/ipn/digistore24", payment);
                assertThat(refused.statusCode()).isEqualTo(503);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
                assertThat(refused.body()).contains("nothing was kept");

                proxy.up();
                // the sender retries, as Digistore24 does until it gets its OK; pooled connections that the outage
                // broke are discarded on the way
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> hub.postForm("/ipn/digistore24", payment).statusCode() == 200);
                assertThat(hub.count("select count(*) from notice")).isEqualTo(2);
                assertThat(hub.count("select count(*) from checkout where status = 'converted'")).isEqualTo(1);
            }
        }
    }

    /** The real database behind the proxy: an H2 TCP server, or the machine's PostgreSQL. */
    private record Backend(TestDatabase database, Server h2, int port) implements AutoCloseable {

        static Backend start() throws Exception {
            TestDatabase database = TestDatabase.create();
            if (TestDatabase.isPostgres()) {
                return new Backend(database, null, 5432);
            }
            int port;
            try (ServerSocket free = new ServerSocket(0)) {
                port = free.getLocalPort();
            }
            Server h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
            return new Backend(database, h2, port);
        }

        TestHub.Builder hub(int proxyPort) {
            TestHub.Builder builder = TestHub.on(database);
            if (h2 != null) {
                builder.property("spring.datasource.url", "jdbc:h2:tcp://127.0.0.1:" + proxyPort
                        + "/mem:storedown;DB_CLOSE_DELAY=-1;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
            } else {
                builder.property("spring.datasource.url",
                        database.url().replace("127.0.0.1:5432", "127.0.0.1:" + proxyPort));
            }
            return builder;
        }

        @Override
        public void close() {
            if (h2 != null) {
                h2.stop();
            }
            database.close();
        }
    }
}
