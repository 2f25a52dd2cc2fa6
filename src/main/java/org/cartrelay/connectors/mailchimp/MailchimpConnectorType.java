package org.cartrelay.connectors.mailchimp;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.stereotype.Component;

/** {@code type: mailchimp}: upserts and tags the list member. Keys: schemas/connectors/mailchimp.schema.json. */
@Component
public class MailchimpConnectorType implements ConnectorType {

    @Override
    public String name() {
        return "mailchimp";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new MailchimpConnector(definition);
    }
}
