package org.cartrelay.connectors;

/** A connector file that cannot be used; the message is one sentence naming the file, the key and what was expected. */
public class ConnectorConfigException extends RuntimeException {

    public ConnectorConfigException(String message) {
        super(message);
    }
}
