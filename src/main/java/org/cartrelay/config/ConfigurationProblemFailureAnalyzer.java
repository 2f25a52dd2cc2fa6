package org.cartrelay.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Prints a {@link ConfigurationProblem} as Spring Boot's failure block: its message, then its action. */
public class ConfigurationProblemFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationProblem> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationProblem cause) {
        return new FailureAnalysis(cause.getMessage(), cause.action(), cause);
    }
}
