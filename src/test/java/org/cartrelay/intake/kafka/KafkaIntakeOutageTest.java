package org.cartrelay.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ProxiedDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * In the Kafka intake mode the intake needs only Kafka: while the database is away it goes on answering 202, its
 * processor's batches fail and are not committed, and once the database is back every notice is stored, once.
 */
class KafkaIntakeOutageTest {

    private final EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 2, "notices-outage");

    @AfterEach
    void stopBroker() {
        broker.destroy();
    }

    @Test
    void noticesTakenWhileTheStoreIsAwayAreStoredOnceItIsBack() throws Exception {
        broker.afterPropertiesSet();
        try (ProxiedDatabase backend = ProxiedDatabase.start();
                TestHub hub = backend.hub()
                        .property("cartrelay.intake.mode", "kafka")
                        .property("cartrelay.intake.kafka.brokers", broker.getBrokersAsString())
                        .property("cartrelay.intake.kafka.topic", "notices-outage")
                        .start()) {
            Notices.startCheckouts(hub, "before", 20);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            hub.count("select count(*) from notice where source_event_id like 'test-shop:before-%'")
                                    == 20);

            backend.proxy().down();
            // answered by Kafka alone
            Notices.startCheckouts(hub, "during", 30);
            KafkaNoticeProcessor processor = hub.bean(KafkaNoticeProcessor.class);
            await().atMost(Duration.ofSeconds(30)).until(() -> processor.retried() > 0);
            backend.proxy().up();

            await().atMost(Duration.ofSeconds(60))
                    .until(() ->
                            hub.count("select count(*) from notice where source_event_id like 'test-shop:during-%'")
                                    == 30);
            assertThat(hub.count("select count(*) from checkout where status = 'pending'"))
                    .isEqualTo(50);
            assertThat(hub.count("select count(distinct checkout_ref) from checkout"))
                    .isEqualTo(50);
        }
    }
}
