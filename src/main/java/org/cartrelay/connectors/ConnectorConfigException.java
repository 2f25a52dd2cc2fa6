package org.cartrelay.connectors;

import java.util.List;

/**
 * Connector files that cannot be used: one sentence per problem, each naming the file, the key and what was expected.
 * The message is the sentences, one a line.
 */
public class ConnectorConfigException extends RuntimeException {

    private final List<String> problems;

    public ConnectorConfigException(String problem) {
        this(List.of(problem));
    }

    public ConnectorConfigException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, one sentence each, in file order. */
    public List<String> problems() {
        return problems;
    }
}
