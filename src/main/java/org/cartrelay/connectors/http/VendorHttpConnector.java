package org.cartrelay.connectors.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpMethods;
import org.cartrelay.connectors.CallGate;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.HttpClientSettings;
import org.cartrelay.event.OutboundEvent;

/**
 * A connector that maps the outbound event (read with Camel's Jackson data format on the hub's event mapping) to one or
 * more requests to a vendor's HTTP API ({@link #calls}) and makes them in order, in a plain loop, each through the
 * {@link CallGate} and Camel's HTTP component, on one route, {@code deliver-<type>-<name>}. It stops at the first call
 * that does not answer 2xx and leaves that answer's status, {@code Retry-After} and body for the hub to classify; a
 * 2xx the vendor means as a failure in its body ({@link #check}) ends the attempt with the exception {@code check}
 * throws. After each call that succeeds it counts {@link Connector#PROGRESS} up, so a retry starts at the call that
 * failed instead of repeating the ones the vendor already took; a call with a lookup ({@link HttpCall#unlessFound})
 * first looks, on a retry, whether an earlier attempt already made it. An I/O error (timeout, refused connection)
 * fails the attempt with the progress so far.
 */
public abstract class VendorHttpConnector implements Connector {

    private final ConnectorDefinition definition;
    private final String baseUrl;
    private ProducerTemplate template;
    private Endpoint http;

    protected VendorHttpConnector(ConnectorDefinition definition, String baseUrl) {
        this.definition = definition;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** The requests that deliver this event, in order; the first {@code PROGRESS} of them were made before. */
    protected abstract List<HttpCall> calls(OutboundEvent event, String eventId);

    /** The headers every request carries: the vendor's auth scheme and any fixed headers such as an API version. */
    protected abstract Map<String, String> headers();

    /** The content type of request bodies. */
    protected String contentType() {
        return "application/json";
    }

    /**
     * A 2xx answer that still reports a failure in its body throws here: a
     * {@link org.cartrelay.connectors.PermanentDeliveryException} to dead-letter the delivery, a
     * {@link org.cartrelay.connectors.RateLimitedException} to slow down, any other exception to retry it.
     */
    protected void check(HttpCall call, int status, String answer) {}

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public boolean gatesEachCall() {
        return true;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        String options = HttpClientSettings.endpointOptions(definition.timeout().toMillis());
        http = builder.getContext().getEndpoint(baseUrl + (baseUrl.contains("?") ? "&" : "?") + options);
        template = builder.getContext().createProducerTemplate();
        builder.from(deliveryUri())
                .routeId(routeId())
                .unmarshal(Connector.outboundEvent())
                .process(this::deliver);
    }

    private void deliver(Exchange exchange) {
        Message message = exchange.getMessage();
        OutboundEvent event = message.getBody(OutboundEvent.class);
        String eventId = message.getHeader(EVENT_ID, String.class);
        boolean retry = message.getHeader(ATTEMPT, 1, Integer.class) > 1;
        int done = message.getHeader(PROGRESS, 0, Integer.class);
        CallGate gate = exchange.getProperty(CallGate.PROPERTY, CallGate.OPEN, CallGate.class);
        List<HttpCall> calls = calls(event, eventId);
        // only what the worker reads goes back: no exchange header of the hub reaches it, or the vendor
        message.removeHeaders("*");
        message.setBody(null);
        for (int next = done; next < calls.size(); next++) {
            message.setHeader(PROGRESS, next);
            HttpCall call = calls.get(next);
            String answer = null;
            if (retry && call.lookup() != null) {
                Exchange looked = make(call.lookup(), gate, message);
                if (looked == null || !succeeded(looked, exchange)) {
                    return;
                }
                answer = call.found().apply(looked.getMessage().getBody(String.class));
                if (answer == null) {
                    gate.succeeded();
                }
            }
            if (answer == null) {
                Exchange made = make(call, gate, message);
                if (made == null || !succeeded(made, exchange)) {
                    return;
                }
                answer = made.getMessage().getBody(String.class);
                try {
                    check(call, made.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class), answer);
                } catch (RuntimeException refused) {
                    exchange.setException(refused);
                    return;
                }
            }
            call.onSuccess().accept(answer);
            message.setHeader(PROGRESS, next + 1);
            if (next + 1 < calls.size()) {
                gate.succeeded();
            }
        }
    }

    /** Makes one call through the gate; null when the gate refused it ({@link Connector#HELD} is then set). */
    private Exchange make(HttpCall call, CallGate gate, Message result) {
        if (!gate.enter()) {
            result.setHeader(HELD, true);
            return null;
        }
        return template.send(http, request -> {
            Message out = request.getMessage();
            // as camel-http's enum: a String would be converted on every call by a search of Camel's converters
            out.setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(call.method()));
            int query = call.path().indexOf('?');
            out.setHeader(
                    Exchange.HTTP_PATH, query < 0 ? call.path() : call.path().substring(0, query));
            if (query >= 0) {
                out.setHeader(Exchange.HTTP_QUERY, call.path().substring(query + 1));
            }
            out.setHeader(Exchange.CONTENT_TYPE, contentType());
            headers().forEach(out::setHeader);
            call.headers().forEach(out::setHeader);
            out.setBody(call.body() == null ? null : call.body().getBytes(StandardCharsets.UTF_8));
        });
    }

    /**
     * Whether the call answered 2xx; otherwise its status, {@code Retry-After} and body, or its exception, become the
     * attempt's result.
     */
    private static boolean succeeded(Exchange made, Exchange attempt) {
        Message result = attempt.getMessage();
        if (made.getException() != null) {
            attempt.setException(made.getException());
            return false;
        }
        Integer status = made.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String answer = made.getMessage().getBody(String.class);
        made.getMessage().setBody(answer); // the answer's stream is read once
        result.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        result.setBody(answer);
        if (status != null && status >= 200 && status < 300) {
            return true;
        }
        String retryAfter = made.getMessage().getHeader("Retry-After", String.class);
        if (retryAfter != null) {
            result.setHeader("Retry-After", retryAfter);
        }
        return false;
    }
}
