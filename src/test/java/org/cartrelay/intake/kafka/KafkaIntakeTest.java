package org.cartrelay.intake.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Digistore24Forms;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.ScriptedTarget;
import org.cartrelay.testing.ScriptedTarget.Answer;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The Kafka intake mode on an embedded KRaft broker: two hubs on one database publish what they receive and both
 * process the topic as one consumer group. Every notice is stored once and delivered, a buyer's notices keep their
 * order across the two hubs, a repeat is stored once, and a hub that cannot reach Kafka answers 503.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaIntakeTest {

    static final String TOPIC = "notices";
    private static final String GROUP = "cartrelay-intake-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafkaKraftBroker broker;
    private TestDatabase database;
    private ScriptedTarget target;
    private TestHub a;
    private TestHub b;

    @BeforeAll
    void start() {
        broker = new EmbeddedKafkaKraftBroker(1, 4, TOPIC);
        broker.afterPropertiesSet();
        database = TestDatabase.create();
        target = new ScriptedTarget(call -> Answer.of(200));
        a = hub();
        b = hub();
        // both processors hold partitions before anything is posted
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP))
                        .describedGroups()
                        .get(GROUP)
                        .get();
                return group.members().size() == 2
                        && group.members().stream()
                                .allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });
        }
    }

    @AfterAll
    void stop() throws Exception {
        Teardown.inOrder(b, a, target, database, broker::destroy);
    }

    private TestHub hub() {
        return kafkaHub(broker.getBrokersAsString())
                .connector("crm", """
                        type: webhook
                        endpoint: %s
                        """.formatted(target.url()))
                .start();
    }

    private TestHub.Builder kafkaHub(String brokers) {
        return TestHub.on(database)
                .property("cartrelay.abandonment.delay", "1s")
                .property("cartrelay.intake.mode", "kafka")
                .property("cartrelay.intake.kafka.brokers", brokers)
                .property("cartrelay.intake.kafka.topic", TOPIC)
                .property("cartrelay.intake.kafka.group-id", GROUP);
    }

    private static long stored(TestHub hub) {
        return hub.bean(KafkaNoticeProcessor.class).stored();
    }

    @Test
    void noticesSplitAcrossTwoHubsAreStoredOnceEachAndDelivered() throws Exception {
        long storedBefore = stored(a) + stored(b);
        int count = 200;
        List<String> answered = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "split-" + i;
            HttpResponse<String> response = Notices.post(
                    i % 2 == 0 ? a : b, "msg-" + key, Notices.checkoutStarted(key, key + "@example.com", "29.00"));
            assertThat(response.statusCode()).as("notice %s", key).isEqualTo(202);
            answered.add(JSON.readTree(response.body()).get("id").asText());
        }

        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        a.count("select count(*) from notice where source_event_id like 'test-shop:split-%'") == count);
        // the id each intake answered is the id its notice was stored under
        assertThat(a.jdbc()
                        .sql("select id from notice where source_event_id like 'test-shop:split-%'")
                        .query(String.class)
                        .list())
                .containsExactlyInAnyOrderElementsOf(answered);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.count("select count(*) from checkout where checkout_ref like 'cart-split-%'"
                                + " and status = 'abandoned'")
                        == count);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> target.calls(c -> c.body().contains("cart-split-")).size() == count);
        assertThat(a.count("select count(*) from checkout where checkout_ref like 'cart-split-%'"))
                .isEqualTo(count);
        // both instances processed part of the topic
        assertThat(stored(a) + stored(b) - storedBefore).isEqualTo(count);
        assertThat(stored(a)).isPositive();
        assertThat(stored(b)).isPositive();
    }

    @Test
    void aBuyersNoticesKeepTheirOrderAcrossTheTwoHubs() {
        int buyers = 50;
        for (int i = 0; i < buyers; i++) {
            // the start to one hub, its order at once to the other: one key, one partition, stored in this order
            Checkouts.start(i % 2 == 0 ? a : b, "ordered-" + i, "p-1", "19.00", "DE");
            Checkouts.complete(i % 2 == 0 ? b : a, "ordered-" + i, "19.00");
        }
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.count("select count(*) from checkout where checkout_ref like 'cart-ordered-%'"
                                + " and status = 'converted'")
                        == buyers);
        assertThat(a.count("select count(*) from checkout where checkout_ref like 'cart-ordered-%'"))
                .isEqualTo(buyers);
        assertThat(target.calls(c -> c.body().contains("cart-ordered-"))).isEmpty();
    }

    @Test
    void aRepeatedNoticeIsStoredOnce() {
        String json = Notices.checkoutStarted("repeat-1", "repeat-1@example.com", "10.00");
        assertThat(Notices.post(a, "msg-repeat-1", json).statusCode()).isEqualTo(202);
        assertThat(Notices.post(b, "msg-repeat-1", json).statusCode()).isEqualTo(202);
        assertThat(Notices.post(a, "msg-repeat-1", json).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.count("select count(*) from checkout where checkout_ref = 'cart-repeat-1'"
                                + " and status = 'abandoned'")
                        == 1);
        assertThat(a.count("select count(*) from notice where source_event_id = 'test-shop:repeat-1'"))
                .isEqualTo(1);
        await().atMost(Duration.ofSeconds(30))
                .until(() ->
                        target.calls(c -> c.body().contains("cart-repeat-1")).size() == 1);
    }

    @Test
    void aNoticeAnsweredAsRejectedIsKeptAsRejectedWithItsRawBody() {
        String form = Digistore24Forms.from(
                "digistore24/order-form-entry.form", Map.of("order_id", "KREJECT1", "email", "not-an-email"));
        HttpResponse<String> response = b.postForm("/ipn/digistore24", form);
        assertThat(response.body()).isEqualTo("OK");
        String rejected = "select count(*) from notice where source = 'digistore24'"
                + " and source_event_id = 'KREJECT1:order_form_data_entered' and outcome = 'rejected'";
        await().atMost(Duration.ofSeconds(30)).until(() -> a.count(rejected) == 1);
        assertThat(a.jdbc()
                        .sql("select raw_body from notice where source_event_id = 'KREJECT1:order_form_data_entered'")
                        .query(String.class)
                        .single())
                .isEqualTo(form);
        assertThat(a.count("select count(*) from checkout where checkout_ref = 'KREJECT1'"))
                .isZero();
    }

    @Test
    void aRecordThatIsNoNoticeIsSkippedAndOneThatCannotBeReadBackIsKeptAsRejected() throws Exception {
        String buyer = "poison-1@example.com";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString()),
                new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(TOPIC, buyer, "not a notice")).get();
            producer.send(new ProducerRecord<>(TOPIC, buyer, """
                            {"id": "ntc_poison1", "source": "generic", "sourceEventId": "test-shop:poison-1",
                             "receivedAt": "2026-12-08T00:00:00Z", "outcome": "PROCESSED", "rawBody": "{}",
                             "canonical": "{not json"}
                            """)).get();
        }
        // the buyer's next notice, in the same partition, behind the two
        assertThat(Notices.post(a, "msg-poison-2", Notices.checkoutStarted("poison-2", buyer, "10.00"))
                        .statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> a.count("select count(*) from notice where source_event_id = 'test-shop:poison-2'") == 1);
        assertThat(a.jdbc()
                        .sql("select outcome, reason, raw_body from notice where id = 'ntc_poison1'")
                        .query((rs, n) -> rs.getString(1) + " | " + rs.getString(2) + " | " + rs.getString(3))
                        .single())
                .isEqualTo("rejected | Could not be applied: IllegalStateException | {}");
    }

    @Test
    void theKafkaModeWithoutBrokersStopsTheStartNamingTheSetting() {
        Throwable failure = catchThrowable(() ->
                TestHub.on(database).property("cartrelay.intake.mode", "kafka").start());
        assertThat(failure).rootCause().hasMessageContaining("cartrelay.intake.kafka.brokers is not set");
    }

    @Test
    void anIntakeThatCannotReachKafkaAnswers503WithRetryAfterAndKeepsNothing() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        try (TestHub unreachable = kafkaHub("127.0.0.1:" + closed)
                .property("cartrelay.intake.kafka.process", "false")
                .property("cartrelay.intake.kafka.publish-timeout", "1s")
                .start()) {
            // process: false is an instance that only publishes
            assertThat(unreachable.has(KafkaNoticeProcessor.class)).isFalse();
            assertThat(a.has(KafkaNoticeProcessor.class)).isTrue();
            HttpResponse<String> response = Notices.post(
                    unreachable,
                    "msg-unreachable-1",
                    Notices.checkoutStarted("unreachable-1", "unreachable-1@example.com", "10.00"));
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(response.body()).contains("nothing was kept");
            assertThat(unreachable.count("select count(*) from notice where source_event_id = 'unreachable-1'"))
                    .isZero();
        }
    }
}
