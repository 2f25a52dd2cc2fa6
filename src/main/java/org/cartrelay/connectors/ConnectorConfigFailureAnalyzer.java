package org.cartrelay.connectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a bad connector file into the one sentence Spring Boot prints instead of a stack trace. */
public class ConnectorConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConnectorConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConnectorConfigException cause) {
        return new FailureAnalysis(
                cause.getMessage(),
                "Fix the connector file (its JSON Schema is src/main/resources/schemas/connector.schema.json) "
                        + "or move it out of the connectors folder, then start the hub again.",
                cause);
    }
}
