package org.cartrelay.privacy;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.cartrelay.testing.Fixtures;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.PersonalData;
import org.cartrelay.testing.TestHub;
import org.cartrelay.testing.TestReceiver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The scheduled retention purge, driven by the hub's clock: past {@code cartrelay.retention} a finished buyer's
 * rows are gone from every table, while pending work stays (a pending checkout, an event whose delivery still waits
 * for its retry) and so does everything younger than the retention.
 */
class RetentionTest {

    @RegisterExtension
    final TestReceiver receiver = TestReceiver.answering(wireMock -> {
        wireMock.stubFor(post(urlEqualTo("/ok")).willReturn(aResponse().withStatus(204)));
        wireMock.stubFor(post(urlEqualTo("/down")).willReturn(aResponse().withStatus(503)));
    });

    @Test
    void rowsOlderThanTheRetentionArePurgedOnScheduleExceptPendingWork() {
        try (TestHub hub = TestHub.on(receiver.database())
                .property("cartrelay.abandonment.delay", "0s")
                .property("cartrelay.sources.digistore24.abandonment-delay", "60d")
                .property("cartrelay.retention", "30d")
                .property("cartrelay.purge-interval", "200ms")
                .connector("ok", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/ok
                        filter: {products: ["p-1"]}
                        """.formatted(receiver.getPort()))
                .connector("down", """
                        type: webhook
                        endpoint: http://127.0.0.1:%d/down
                        filter: {products: ["p-down"]}
                        retry: {maxAttempts: 5, initialDelay: 100d, maxDelay: 100d, jitter: 0}
                        """.formatted(receiver.getPort()))
                .start()) {
            // finished: abandoned and delivered
            Notices.post(hub, "old-done", Notices.checkoutStarted("old-done", "old.done@example.com", "20.00"));
            // waiting: its delivery failed once and is retried only in 100 days
            Notices.post(
                    hub,
                    "old-waiting",
                    Notices.checkoutStarted("old-waiting", "old.waiting@example.com", "20.00")
                            .replace("p-1", "p-down"));
            // pending: Digistore24's delay here is 60 days
            hub.postForm("/ipn/digistore24", Fixtures.form("digistore24/order-form-entry.form"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.count("select count(*) from delivery where status = 'delivered'") == 1
                            && hub.count("select count(*) from delivery where status = 'pending' and attempts = 1")
                                    == 1);
            assertThat(hub.count("select count(*) from checkout where status = 'pending'"))
                    .isEqualTo(1);

            hub.clock().advance(Duration.ofDays(31));
            Notices.post(hub, "young", Notices.checkoutStarted("young", "young@example.com", "20.00"));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> hub.count("select count(*) from checkout where checkout_ref = 'cart-old-done'") == 0);
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.count("select count(*) from notice") == 1);

            assertThat(PersonalData.find(receiver.database(), "old.done@example.com"))
                    .isEmpty();
            // the event still waiting for its retry keeps its event, delivery and attempt
            assertThat(hub.count("select count(*) from outbound_event where email = 'old.waiting@example.com'"))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from delivery d join outbound_event e on e.id = d.event_id"
                            + " where e.email = 'old.waiting@example.com' and d.status = 'pending'"))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from delivery_attempt")).isGreaterThanOrEqualTo(1);
            // the pending checkout stays; its notice, past retention, does not
            assertThat(hub.count(
                            "select count(*) from checkout where status = 'pending' and email = ?",
                            "jane.doe@example.com"))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from notice where email = 'jane.doe@example.com'"))
                    .isZero();
            // the young checkout is untouched
            assertThat(hub.count("select count(*) from notice where email = 'young@example.com'"))
                    .isEqualTo(1);
            assertThat(hub.count("select count(*) from checkout where email = 'young@example.com'"))
                    .isEqualTo(1);
        }
    }
}
