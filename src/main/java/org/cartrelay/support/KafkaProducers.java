package org.cartrelay.support;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.component.kafka.KafkaConfiguration;

/** What every Kafka producer of the hub is: durable, free of duplicates of its own, and bounded in time. */
public final class KafkaProducers {

    private KafkaProducers() {}

    /**
     * The producer waits for every in-sync replica ({@code acks=all}) and is idempotent, so its own retries write no
     * duplicates; fetching metadata, each request and the whole delivery are bounded by {@code timeout}.
     * {@code properties} are further client settings, which never override those.
     */
    public static void configure(
            KafkaConfiguration configuration, String brokers, Duration timeout, Map<String, ?> properties) {
        configuration.setBrokers(brokers);
        configuration.setRequestRequiredAcks("all");
        configuration.setEnableIdempotence(true);
        int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
        configuration.setRequestTimeoutMs(millis);
        // Kafka insists on delivery.timeout.ms >= linger.ms + request.timeout.ms
        Object lingerMs = properties.get("linger.ms");
        long linger = lingerMs == null ? 0 : Long.parseLong(String.valueOf(lingerMs));
        configuration.setDeliveryTimeoutMs((int) Math.min(Integer.MAX_VALUE, millis + linger));
        configuration.setMaxBlockMs(millis);
        configuration.setAdditionalProperties(new LinkedHashMap<>(properties));
    }
}
