package org.cartrelay.connectors.kafka;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.stereotype.Component;

/** {@code type: kafka}: the outbound event to a topic, keyed by email. Keys: {@code brokers}, {@code topic}, {@code properties}. */
@Component
public class KafkaConnectorType implements ConnectorType {

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new KafkaConnector(definition);
    }
}
