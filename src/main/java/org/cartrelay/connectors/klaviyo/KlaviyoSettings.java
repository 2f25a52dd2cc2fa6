package org.cartrelay.connectors.klaviyo;

/** The keys of {@code type: klaviyo}. */
public record KlaviyoSettings(String apiKey, String revision, Metrics metrics) {

    /** The metric names of the two events. */
    public record Metrics(String abandoned, String recovered) {}
}
