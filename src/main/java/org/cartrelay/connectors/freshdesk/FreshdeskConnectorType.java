package org.cartrelay.connectors.freshdesk;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.http.ExternalRefs;
import org.springframework.stereotype.Component;

/** {@code type: freshdesk}: a call-back ticket per abandoned checkout. Keys: schemas/connectors/freshdesk.schema.json. */
@Component
public class FreshdeskConnectorType implements ConnectorType {

    private final ExternalRefs refs;

    public FreshdeskConnectorType(ExternalRefs refs) {
        this.refs = refs;
    }

    @Override
    public String name() {
        return "freshdesk";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new FreshdeskConnector(definition, refs);
    }
}
