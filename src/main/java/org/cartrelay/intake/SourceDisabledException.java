package org.cartrelay.intake;

/** A source whose secret is not configured is closed, never open: its endpoint answers 404. */
public class SourceDisabledException extends RuntimeException {

    public SourceDisabledException(String source, String property) {
        super("The " + source + " source is disabled: set " + property + " to enable it.");
    }
}
