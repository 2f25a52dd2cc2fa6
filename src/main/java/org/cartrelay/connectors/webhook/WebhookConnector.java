package org.cartrelay.connectors.webhook;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpMethods;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.HttpClientSettings;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.support.StandardWebhooks;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * POSTs the outbound event to {@code endpoint} as JSON or as a flat form, signed per Standard Webhooks with
 * {@code webhook-id} = the event id, so a receiver can drop the duplicates that at-least-once delivery allows.
 */
public class WebhookConnector implements Connector {

    private final ConnectorDefinition definition;
    private final Clock clock;
    private final boolean form;
    private final StandardWebhooks signer;
    private final Map<String, String> headers = new LinkedHashMap<>();

    WebhookConnector(ConnectorDefinition definition, Clock clock) {
        this.definition = definition;
        this.clock = clock;
        JsonNode config = definition.config();
        this.form = config.has("format") && "form".equals(config.get("format").asText());
        this.signer = config.has("secret") ? StandardWebhooks.withSecret(config.get("secret").asText()) : null;
        if (config.has("headers")) {
            config.get("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
        }
        headers.putAll(definition.auth().headers());
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        String endpoint = definition.endpoint();
        String options = HttpClientSettings.endpointOptions(definition.timeout().toMillis());
        builder.from(deliveryUri())
                .routeId(routeId())
                .process(this::prepareRequest)
                .to(endpoint + (endpoint.contains("?") ? "&" : "?") + options);
    }

    private void prepareRequest(Exchange exchange) {
        String eventId = exchange.getMessage().getHeader(EVENT_ID, String.class);
        String json = exchange.getMessage().getBody(String.class);
        byte[] body = form ? FormEncoding.encode(EventJson.read(json, OutboundEvent.class)).getBytes(StandardCharsets.UTF_8)
                : json.getBytes(StandardCharsets.UTF_8);
        exchange.getMessage().removeHeaders("*");
        // the enum, not "POST": the HTTP producer reads it as HttpMethods, and converting a String to an enum searched
        // Camel's whole converter registry on every call (a fifth of a delivery's CPU in a profile)
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.POST);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE,
                form ? "application/x-www-form-urlencoded; charset=UTF-8" : "application/json");
        exchange.getMessage().setHeader("webhook-id", eventId);
        if (signer != null) {
            long timestamp = clock.instant().getEpochSecond();
            exchange.getMessage().setHeader("webhook-timestamp", Long.toString(timestamp));
            exchange.getMessage().setHeader("webhook-signature", signer.sign(eventId, timestamp, body));
        }
        headers.forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setBody(body);
    }
}
