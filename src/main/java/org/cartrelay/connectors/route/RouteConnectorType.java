package org.cartrelay.connectors.route;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.stereotype.Component;

/** {@code type: route}: a custom connector with no Java. Key: {@code uri}, a Camel endpoint of the integrator's. */
@Component
public class RouteConnectorType implements ConnectorType {

    @Override
    public String name() {
        return "route";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new RouteConnector(definition);
    }
}
