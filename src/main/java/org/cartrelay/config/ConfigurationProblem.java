package org.cartrelay.config;

/**
 * A setting or a file of the hub's that keeps it from starting: {@link ConfigurationProblemFailureAnalyzer} prints
 * the message (what is wrong, naming the setting or file) and the action (what to change) instead of a stack trace.
 */
public class ConfigurationProblem extends RuntimeException {

    private final String action;

    public ConfigurationProblem(String message, String action) {
        this(message, action, null);
    }

    public ConfigurationProblem(String message, String action, Throwable cause) {
        super(message, cause);
        this.action = action;
    }

    public String action() {
        return action;
    }
}
