package org.cartrelay.connectors.hubspot;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.stereotype.Component;

/** {@code type: hubspot}: upserts the contact with cart properties. Keys: schemas/connectors/hubspot.schema.json. */
@Component
public class HubSpotConnectorType implements ConnectorType {

    @Override
    public String name() {
        return "hubspot";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new HubSpotConnector(definition);
    }
}
