package org.cartrelay.connectors.email;

import java.nio.file.Path;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.ConnectorType;
import org.cartrelay.privacy.unsubscribe.UnsubscribeKeys;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * {@code type: email}: follow-up mails to the buyer over SMTP. Keys: {@code smtp.*}, {@code from}, {@code replyTo},
 * {@code steps}, {@code unsubscribe}; templates in {@code <home>/connectors/templates/}.
 */
@Component
public class EmailConnectorType implements ConnectorType {

    private final Path templates;
    private final String publicUrl;
    private final UnsubscribeKeys keys;

    @Autowired
    public EmailConnectorType(@Value("${cartrelay.home-dir}") String home, CartRelayProperties properties,
            UnsubscribeKeys keys) {
        this.templates = Path.of(home, "connectors", "templates");
        this.publicUrl = properties.publicUrl() == null || properties.publicUrl().isBlank() ? null
                : properties.publicUrl().strip().replaceAll("/+$", "");
        this.keys = keys;
    }

    /** Without the hub's own unsubscribe link: a file's {@code unsubscribe} key, else the mailto default. */
    EmailConnectorType(String home) {
        this.templates = Path.of(home, "connectors", "templates");
        this.publicUrl = null;
        this.keys = null;
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public Connector create(ConnectorDefinition definition) {
        // with the hub's public URL, its own one-click link is the default (an explicit unsubscribe.url wins)
        return new EmailConnector(definition, templates,
                publicUrl == null ? null : publicUrl + "/unsubscribe/{token}", email -> {
                    if (keys == null) {
                        throw new IllegalStateException("{token} needs the hub's unsubscribe key");
                    }
                    return keys.token(email);
                });
    }
}
