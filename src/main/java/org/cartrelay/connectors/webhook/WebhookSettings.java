package org.cartrelay.connectors.webhook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The keys of {@code type: webhook} besides {@code secret}, which {@link Signatures} reads as written (one secret or
 * a list): {@code format} json or form, extra {@code headers}, and an optional body {@code template}.
 */
public record WebhookSettings(String format, Map<String, String> headers, String template) {

    public WebhookSettings {
        headers = headers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }
}
