package org.cartrelay.connectors.hubspot;

import java.util.Map;

/** The keys of {@code type: hubspot}: the HubSpot contact property of each cart field that is sent. */
public record HubSpotSettings(Map<String, String> properties) {

    public HubSpotSettings {
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }
}
