package org.cartrelay.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;

import org.cartrelay.ops.HubMetrics;
import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.ProxiedDatabase;
import org.cartrelay.testing.TcpProxy;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;

/**
 * When the database cannot be reached, intake answers 503 with Retry-After (the sender retries), acknowledges nothing
 * it has not kept and counts the notice as unavailable; once the database is back, the retried notice is accepted and
 * nothing earlier is lost.
 */
class StoreUnavailableTest {

    @Test
    void intakeAnswers503WithRetryAfterWhileTheDatabaseIsUnreachable() throws Exception {
        try (ProxiedDatabase backend = ProxiedDatabase.start();
                TestHub hub = backend.hub().start()) {
            TcpProxy proxy = backend.proxy();
            String entry = Fixtures.form("digistore24/order-form-entry.form");
            String payment = Fixtures.form("digistore24/on-payment.form");
            assertThat(hub.postForm("/ipn/digistore24", entry).statusCode()).isEqualTo(200);

            proxy.down();
            HttpResponse<String> refused = hub.postForm("/ipn/digistore24", payment);
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(refused.body()).contains("nothing was kept");
            assertThat(hub.bean(HubMetrics.class).notices("unavailable")).isEqualTo(1);

            proxy.up();
            // the sender retries, as Digistore24 does until it gets its OK; pooled connections that the outage
            // broke are discarded on the way
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> hub.postForm("/ipn/digistore24", payment).statusCode() == 200);
            assertThat(hub.count("select count(*) from notice")).isEqualTo(2);
            assertThat(hub.count("select count(*) from checkout where status = 'converted'"))
                    .isEqualTo(1);
        }
    }
}
