package org.cartrelay.intake.kafka;

import java.time.Clock;
import java.util.Locale;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.ConfigurationProblem;
import org.cartrelay.intake.IntakeService.Receipt;
import org.cartrelay.intake.Notice;
import org.cartrelay.intake.NoticeHandOff;
import org.cartrelay.ops.Traces;
import org.cartrelay.support.Ids;
import org.cartrelay.support.KafkaProducers;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;

/**
 * The Kafka intake mode's hand-off: each verified notice is published to {@code cartrelay.intake.kafka.topic} and
 * the intake answers only after the broker acknowledged it. The record's key is the buyer's email (lower case), so a
 * buyer's notices share a partition and are stored in the order they arrived; a notice without one is keyed by its
 * source and source event id.
 */
@Component
@ConditionalOnProperty(name = "cartrelay.intake.mode", havingValue = "kafka")
public class KafkaNoticePublisher implements NoticeHandOff {

    private final ProducerTemplate template;
    private final KafkaEndpoint endpoint;
    private final Clock clock;
    private final Traces traces;

    public KafkaNoticePublisher(CamelContext camel, CartRelayProperties properties, Clock clock, Traces traces) {
        CartRelayProperties.Kafka kafka = properties.intake().kafka();
        this.endpoint = camel.getEndpoint("kafka:" + kafka.topic() + "?clientId=cartrelay-intake", KafkaEndpoint.class);
        KafkaProducers.configure(
                endpoint.getConfiguration(), brokers(kafka), kafka.publishTimeout(), kafka.properties());
        this.template = camel.createProducerTemplate();
        this.clock = clock;
        this.traces = traces;
    }

    /** The brokers, which the kafka mode cannot do without. */
    static String brokers(CartRelayProperties.Kafka kafka) {
        if (kafka.brokers() == null || kafka.brokers().isBlank()) {
            throw new ConfigurationProblem(
                    "cartrelay.intake.mode is kafka, but cartrelay.intake.kafka.brokers is not set.",
                    "Set cartrelay.intake.kafka.brokers (CARTRELAY_INTAKE_KAFKA_BROKERS) to the Kafka bootstrap"
                            + " servers, host:port[,host:port], or set cartrelay.intake.mode to direct.");
        }
        return kafka.brokers();
    }

    @Override
    public Receipt handOver(Notice notice) {
        String id = Ids.next("ntc");
        QueuedNotice queued = QueuedNotice.of(notice, id, clock.instant(), traces.traceParent(traces.current()));
        Exchange sent = template.send(endpoint, exchange -> {
            exchange.getMessage().setHeader(KafkaConstants.KEY, key(notice));
            exchange.getMessage().setBody(queued.json());
        });
        if (sent.getException() != null) {
            // Kafka's own messages name topics, sizes and times, never a record's content
            throw new Unavailable(
                    "Kafka did not acknowledge the notice: "
                            + sent.getException().getMessage(),
                    sent.getException());
        }
        return new Receipt(id, false);
    }

    private static String key(Notice notice) {
        if (notice.event() != null && notice.event().email() != null) {
            return notice.event().email().toLowerCase(Locale.ROOT);
        }
        return notice.source() + " " + notice.sourceEventId();
    }
}
