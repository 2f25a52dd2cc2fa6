package org.cartrelay.connectors.klaviyo;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.stereotype.Component;

/** {@code type: klaviyo}: a metric event per abandoned or recovered checkout. Keys: schemas/connectors/klaviyo.schema.json. */
@Component
public class KlaviyoConnectorType implements ConnectorType {

    @Override
    public String name() {
        return "klaviyo";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new KlaviyoConnector(definition);
    }
}
