package org.cartrelay.connectors;

import java.util.stream.Collectors;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns bad connector files into what Spring Boot prints instead of a stack trace: the one sentence of a single
 * problem, or every problem, one a line.
 */
public class ConnectorConfigFailureAnalyzer extends AbstractFailureAnalyzer<ConnectorConfigException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConnectorConfigException cause) {
        String description = cause.problems().size() == 1
                ? cause.problems().get(0)
                : "The connector files have " + cause.problems().size() + " problems:" + System.lineSeparator()
                        + cause.problems().stream()
                                .map(problem -> "  - " + problem)
                                .collect(Collectors.joining(System.lineSeparator()));
        boolean one = cause.problems().size() == 1;
        return new FailureAnalysis(
                description,
                "Fix the connector " + (one ? "file" : "files")
                        + " (each type's keys are in docs/connectors/<type>.md, "
                        + "the JSON Schema is served at /schemas/connector.schema.json by a running hub) or move "
                        + (one ? "it" : "them") + " out of the connectors folder, then start the hub again.",
                cause);
    }
}
