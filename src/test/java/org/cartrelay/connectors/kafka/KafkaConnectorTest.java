package org.cartrelay.connectors.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.cartrelay.connectors.ConnectorConfigException;
import org.cartrelay.connectors.ConnectorLoader;
import org.cartrelay.testing.Checkouts;
import org.cartrelay.testing.Teardown;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.mock.env.MockEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The kafka connector against an embedded KRaft broker, through one whole hub: the event as JSON,
 * keyed by the buyer's email, with the event id as a record header, from a producer with acks=all and idempotence.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaConnectorTest {

    private static final String TOPIC = "cart-events";
    private static final ObjectMapper JSON = new ObjectMapper();

    private EmbeddedKafkaKraftBroker broker;
    private KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> records = new ArrayList<>();
    private TestDatabase database;
    private TestHub hub;

    @BeforeAll
    void startHub() {
        broker = new EmbeddedKafkaKraftBroker(1, 1, TOPIC);
        broker.afterPropertiesSet();
        consumer = new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString(),
                        ConsumerConfig.GROUP_ID_CONFIG, "kafka-connector-test",
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                new StringDeserializer(),
                new StringDeserializer());
        consumer.subscribe(List.of(TOPIC));
        database = TestDatabase.create();
        hub = TestHub.on(database)
                .property("cartrelay.abandonment.delay", "0s")
                .property("KAFKA_BROKERS", broker.getBrokersAsString())
                .connector("stream", """
                        type: kafka
                        brokers: ${KAFKA_BROKERS}
                        topic: %s
                        properties: {compression.type: gzip, linger.ms: 5}
                        filter: {products: ["p-kafka"]}
                        """.formatted(TOPIC))
                .start();
    }

    @AfterAll
    void stopHub() throws Exception {
        Teardown.inOrder(hub, database, consumer, broker::destroy);
    }

    private List<ConsumerRecord<String, String>> recordsFor(String email) {
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.stream().filter(r -> email.equals(r.key())).toList();
    }

    @Test
    void theBrokerReceivesTheEventAsJsonKeyedByTheBuyersEmail() throws Exception {
        Checkouts.start(hub, "kafka-1", "p-kafka", "49.00", "DE");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> recordsFor("kafka-1@example.com").size() == 1);
        ConsumerRecord<String, String> record =
                recordsFor("kafka-1@example.com").get(0);
        JsonNode event = JSON.readTree(record.value());
        assertThat(record.key()).isEqualTo("kafka-1@example.com");
        assertThat(event.get("type").asText()).isEqualTo("checkout.abandoned");
        assertThat(event.get("checkout").get("id").asText()).isEqualTo("cart-kafka-1");
        assertThat(event.get("customer").get("email").asText()).isEqualTo("kafka-1@example.com");
        String id = event.get("id").asText();
        assertThat(id).startsWith("evt_");
        // the value is the stored outbound event, unchanged
        assertThat(hub.jdbc()
                        .sql("select payload from outbound_event where id = ?")
                        .param(id)
                        .query(String.class)
                        .single())
                .isEqualTo(record.value());
        assertThat(new String(
                        record.headers()
                                .lastHeader(KafkaConnector.EVENT_ID_HEADER)
                                .value(),
                        StandardCharsets.UTF_8))
                .isEqualTo(id);
        assertThat(new String(
                        record.headers()
                                .lastHeader(KafkaConnector.EVENT_TYPE_HEADER)
                                .value(),
                        StandardCharsets.UTF_8))
                .isEqualTo("checkout.abandoned");
        assertThat(record.headers())
                .noneMatch(h -> h.key().startsWith("Camel") || h.key().startsWith("CartRelay"));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from delivery where connector = 'stream' and event_id = ? and status = 'delivered'",
                                id)
                        == 1);
    }

    @Test
    void oneBuyersEventsShareAKeyAndSoAPartitionInOrder() {
        Checkouts.start(hub, "kafka-2", "p-kafka", "20.00", "DE");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> recordsFor("kafka-2@example.com").size() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> hub.count(
                                "select count(*) from checkout where checkout_ref = 'cart-kafka-2' and status = 'abandoned'")
                        == 1);
        Checkouts.complete(hub, "kafka-2", "20.00");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> recordsFor("kafka-2@example.com").size() == 2);
        List<ConsumerRecord<String, String>> both = recordsFor("kafka-2@example.com");
        assertThat(both.get(0).partition()).isEqualTo(both.get(1).partition());
        assertThat(both.get(0).offset()).isLessThan(both.get(1).offset());
        assertThat(both.get(0).value()).contains("\"type\":\"checkout.abandoned\"");
        assertThat(both.get(1).value()).contains("\"type\":\"checkout.recovered\"");
    }

    @Test
    void theProducerWaitsForAllReplicasIsIdempotentAndTakesTheExtraProperties() {
        KafkaEndpoint endpoint = hub.bean(CamelContext.class).getEndpoints().stream()
                .filter(KafkaEndpoint.class::isInstance)
                .map(KafkaEndpoint.class::cast)
                .filter(e -> e.getConfiguration().getClientId().equals("cartrelay-stream"))
                .findFirst()
                .orElseThrow();
        var configuration = endpoint.getConfiguration();
        assertThat(configuration.getRequestRequiredAcks()).isEqualTo("all");
        assertThat(configuration.isEnableIdempotence()).isTrue();
        assertThat(configuration.getBrokers()).isEqualTo(broker.getBrokersAsString());
        assertThat(configuration.getTopic()).isEqualTo(TOPIC);
        assertThat(configuration.getAdditionalProperties())
                .containsEntry("compression.type", "gzip")
                .containsEntry("linger.ms", "5");
        assertThat(configuration.createProducerProperties())
                .containsEntry("acks", "all")
                .containsEntry("enable.idempotence", true)
                .containsEntry("compression.type", "gzip");
    }

    @Test
    void propertiesCannotOverrideTheDeliveryGuarantees(@TempDir Path folder) throws Exception {
        Path file = Files.writeString(folder.resolve("k.yaml"), """
                type: kafka
                brokers: localhost:9092
                topic: carts
                properties: {acks: "1"}
                """);
        assertThat(catchThrowable(() -> new ConnectorLoader(new MockEnvironment()).load(file)))
                .isInstanceOf(ConnectorConfigException.class)
                .hasMessageStartingWith("Connector file " + file + ": key 'properties");
    }
}
