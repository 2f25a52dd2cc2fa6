package org.cartrelay.connectors.webhook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ContentType;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.DeliveryHttpClient;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.ops.Traces;

/**
 * POSTs the outbound event to {@code endpoint} as JSON or as a flat form, or the body its {@code template} renders,
 * signed per Standard Webhooks with every secret of {@code secret} and {@code webhook-id} = the event id, so a
 * receiver can drop the duplicates that at-least-once delivery allows.
 */
public class WebhookConnector implements Connector {

    private static final ContentType FORM =
            ContentType.create("application/x-www-form-urlencoded", StandardCharsets.UTF_8);

    private final ConnectorDefinition definition;
    private final Clock clock;
    private final DeliveryHttpClient http;
    private final RequestConfig requestConfig;
    private final boolean form;
    private final Signatures signer;
    private final BodyTemplate template;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public WebhookConnector(
            ConnectorDefinition definition,
            WebhookSettings settings,
            Clock clock,
            DeliveryHttpClient http,
            Path templates) {
        this.definition = definition;
        this.clock = clock;
        this.http = http;
        this.requestConfig =
                http.config(definition.endpoint(), definition.timeout().toMillis());
        this.form = "form".equals(settings.format());
        this.signer = Signatures.of(definition);
        this.template = settings.template() != null
                ? BodyTemplate.compile(definition, templates, settings.template(), form)
                : null;
        headers.putAll(settings.headers());
        headers.putAll(definition.auth().headers());
    }

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        builder.from(deliveryUri()).routeId(routeId()).process(this::send);
    }

    private void send(Exchange exchange) throws IOException {
        String eventId = exchange.getMessage().getHeader(EVENT_ID, String.class);
        String json = exchange.getMessage().getBody(String.class);
        byte[] body = template != null
                ? template.render(json)
                : form
                        ? FormEncoding.encode(EventJson.read(json, OutboundEvent.class))
                                .getBytes(StandardCharsets.UTF_8)
                        : json.getBytes(StandardCharsets.UTF_8);
        Map<String, String> request = new LinkedHashMap<>();
        request.put("webhook-id", eventId);
        String traceParent = exchange.getMessage().getHeader(TRACEPARENT, String.class);
        if (traceParent != null) {
            request.put(Traces.TRACEPARENT, traceParent);
        }
        if (signer != null) {
            long timestamp = clock.instant().getEpochSecond();
            request.put("webhook-timestamp", Long.toString(timestamp));
            request.put("webhook-signature", signer.sign(eventId, timestamp, body));
        }
        request.putAll(headers);
        http.post(
                exchange,
                definition.endpoint(),
                requestConfig,
                form ? FORM : ContentType.APPLICATION_JSON,
                body,
                request);
    }
}
