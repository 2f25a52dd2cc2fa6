package org.cartrelay.connectors;

/**
 * A kind of target ({@code webhook}, …). Each type is one package with a Spring bean implementing this; its keys are
 * described in {@code schemas/connector.schema.json}. Adding a type edits no switch elsewhere.
 */
public interface ConnectorType {

    /** The value of {@code type:} in a connector file. */
    String name();

    Connector create(ConnectorDefinition definition);
}
