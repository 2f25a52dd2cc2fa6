package org.cartrelay.connectors.kafka;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.FailureKind;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.support.KafkaProducers;

/**
 * Publishes the outbound event as JSON to {@code topic} with the buyer's email as the record key, so one buyer's
 * events land in one partition, in order. The producer waits for every in-sync replica ({@code acks=all}) and is
 * idempotent, so its own internal retries write no duplicates; the send is synchronous, and a failure is a failed
 * attempt that the hub retries. Records carry the headers {@code cartrelay-event-id} and {@code cartrelay-event-type}.
 * One buyer's deliveries go out one at a time ({@link #orderKey}), so a later event never overtakes an earlier one.
 */
public class KafkaConnector implements Connector {

    static final String EVENT_ID_HEADER = "cartrelay-event-id";
    static final String EVENT_TYPE_HEADER = "cartrelay-event-type";

    private final ConnectorDefinition definition;
    private final String brokers;
    private final String topic;
    private final Map<String, Object> properties = new LinkedHashMap<>();

    public KafkaConnector(ConnectorDefinition definition, KafkaSettings settings) {
        this.definition = definition;
        this.brokers = settings.brokers();
        this.topic = settings.topic();
        properties.putAll(settings.properties());
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    @Override
    public String orderKey(String checkoutId, String email) {
        return email != null ? email : checkoutId;
    }

    /**
     * Kafka's own classes: a retriable error (a timeout, no leader, not enough replicas) means the cluster is down;
     * a record too large, a topic that is not valid or not allowed, refused credentials are permanent.
     */
    @Override
    public FailureKind failureKind(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException) {
                return FailureKind.TARGET_DOWN;
            }
            if (cause instanceof RecordTooLargeException
                    || cause instanceof InvalidTopicException
                    || cause instanceof AuthorizationException
                    || cause instanceof AuthenticationException
                    || cause instanceof SerializationException) {
                return FailureKind.PERMANENT;
            }
        }
        return null;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        // clientId makes the URI, and so the endpoint and its producer, this connector's own
        KafkaEndpoint endpoint = builder.getContext()
                .getEndpoint("kafka:" + topic + "?clientId=cartrelay-" + definition.name(), KafkaEndpoint.class);
        // the schema keeps acks, idempotence and the serializers out of `properties`
        KafkaProducers.configure(endpoint.getConfiguration(), brokers, definition.timeout(), properties);
        builder.from(deliveryUri()).routeId(routeId()).process(this::record).to(endpoint);
    }

    private void record(Exchange exchange) {
        var message = exchange.getMessage();
        String json = message.getBody(String.class);
        OutboundEvent event = EventJson.read(json, OutboundEvent.class);
        String eventId = message.getHeader(EVENT_ID, String.class);
        String eventType = message.getHeader(EVENT_TYPE, String.class);
        message.removeHeaders("*");
        if (event.email() != null) {
            message.setHeader(KafkaConstants.KEY, event.email());
        }
        message.setHeader(EVENT_ID_HEADER, eventId);
        message.setHeader(EVENT_TYPE_HEADER, eventType);
        message.setBody(json);
    }
}
