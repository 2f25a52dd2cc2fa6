package org.cartrelay.connectors.zendesk;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.connectors.http.ExternalRefs;
import org.springframework.stereotype.Component;

/** {@code type: zendesk}: a call-back ticket per abandoned checkout. Keys: schemas/connectors/zendesk.schema.json. */
@Component
public class ZendeskConnectorType implements ConnectorType {

    private final ExternalRefs refs;

    public ZendeskConnectorType(ExternalRefs refs) {
        this.refs = refs;
    }

    @Override
    public String name() {
        return "zendesk";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new ZendeskConnector(definition, refs);
    }
}
