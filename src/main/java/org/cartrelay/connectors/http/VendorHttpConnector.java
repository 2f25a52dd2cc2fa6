package org.cartrelay.connectors.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.http.HttpMethods;
import org.cartrelay.connectors.Connector;
import org.cartrelay.connectors.ConnectorDefinition;
import org.cartrelay.connectors.HttpClientSettings;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;

/**
 * A connector that maps the outbound event to one or more requests to a vendor's HTTP API ({@link #calls}) and
 * makes them in order on one route, {@code deliver-<type>-<name>}. It stops at the first call that does not answer
 * 2xx and leaves that answer's status and {@code Retry-After} for the delivery worker to classify. After each call
 * that succeeds it counts {@link Connector#PROGRESS} up, so a retry starts at the call that failed instead of
 * repeating the ones the vendor already took. An I/O error (timeout, refused connection) fails the attempt with the
 * progress so far kept.
 */
public abstract class VendorHttpConnector implements Connector {

    private static final String CALLS = "CartRelayVendorCalls";
    private static final String NEXT = "CartRelayVendorNext";
    private static final String STOPPED = "CartRelayVendorStopped";
    private static final String ERROR = "CartRelayVendorError";

    private final ConnectorDefinition definition;
    private final String baseUrl;

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

    @Override
    public ConnectorDefinition definition() {
        return definition;
    }

    public String baseUrl() {
        return baseUrl;
    }

    @Override
    public void addRoutes(RouteBuilder builder) {
        String options = HttpClientSettings.endpointOptions(definition.timeout().toMillis());
        builder.from(deliveryUri())
                .routeId(routeId())
                .process(this::plan)
                .loopDoWhile(VendorHttpConnector::hasNextCall)
                    .doTry()
                        .process(this::prepareCall)
                        .to(baseUrl + (baseUrl.contains("?") ? "&" : "?") + options)
                        .process(VendorHttpConnector::readAnswer)
                    .doCatch(Exception.class)
                        .process(VendorHttpConnector::stopOnError)
                    .end()
                .end()
                .process(VendorHttpConnector::finish);
    }

    private void plan(Exchange exchange) {
        OutboundEvent event = EventJson.read(exchange.getMessage().getBody(String.class), OutboundEvent.class);
        String eventId = exchange.getMessage().getHeader(EVENT_ID, String.class);
        Integer progress = exchange.getMessage().getHeader(PROGRESS, Integer.class);
        exchange.setProperty(CALLS, calls(event, eventId));
        exchange.setProperty(NEXT, progress == null ? 0 : progress);
        exchange.setProperty(STOPPED, false);
    }

    private static boolean hasNextCall(Exchange exchange) {
        return !exchange.getProperty(STOPPED, Boolean.class)
                && exchange.getProperty(NEXT, Integer.class) < calls(exchange).size();
    }

    private void prepareCall(Exchange exchange) {
        HttpCall call = calls(exchange).get(exchange.getProperty(NEXT, Integer.class));
        // only what this request needs goes out: no exchange header of the hub reaches the vendor
        exchange.getMessage().removeHeaders("*");
        // as camel-http's enum: a String would be converted on every call by a search of Camel's converter registry
        exchange.getMessage().setHeader(Exchange.HTTP_METHOD, HttpMethods.valueOf(call.method()));
        exchange.getMessage().setHeader(Exchange.HTTP_PATH, call.path());
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, contentType());
        headers().forEach(exchange.getMessage()::setHeader);
        call.headers().forEach(exchange.getMessage()::setHeader);
        exchange.getMessage().setBody(call.body() == null ? null : call.body().getBytes(StandardCharsets.UTF_8));
    }

    private static void readAnswer(Exchange exchange) {
        Integer status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
        String answer = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(answer);
        if (status != null && status >= 200 && status < 300) {
            int next = exchange.getProperty(NEXT, Integer.class);
            calls(exchange).get(next).onSuccess().accept(answer);
            exchange.setProperty(NEXT, next + 1);
        } else {
            exchange.setProperty(STOPPED, true);
        }
    }

    private static void stopOnError(Exchange exchange) {
        exchange.setProperty(ERROR, exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class));
        exchange.setProperty(STOPPED, true);
    }

    private static void finish(Exchange exchange) {
        exchange.getMessage().setHeader(PROGRESS, exchange.getProperty(NEXT, Integer.class));
        Exception error = exchange.getProperty(ERROR, Exception.class);
        if (error != null) {
            exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE);
            exchange.setException(error);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<HttpCall> calls(Exchange exchange) {
        return exchange.getProperty(CALLS, List.class);
    }
}
