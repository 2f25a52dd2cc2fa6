package org.cartrelay.connectors.kafka;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The keys of {@code type: kafka}; {@code properties} are extra producer settings, in the file's order. */
public record KafkaSettings(String brokers, String topic, Map<String, String> properties) {

    public KafkaSettings {
        properties = properties == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }
}
