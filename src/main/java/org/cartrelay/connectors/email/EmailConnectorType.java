package org.cartrelay.connectors.email;

import java.nio.file.Path;

import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code type: email}: follow-up mails to the buyer over SMTP. Keys: {@code smtp.*}, {@code from}, {@code replyTo},
 * {@code steps}, {@code unsubscribe}; templates in {@code <home>/connectors/templates/}.
 */
@Component
public class EmailConnectorType implements ConnectorType {

    private final Path templates;

    public EmailConnectorType(@Value("${cartrelay.home-dir}") String home) {
        this.templates = Path.of(home, "connectors", "templates");
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        return new EmailConnector(definition, templates);
    }
}
