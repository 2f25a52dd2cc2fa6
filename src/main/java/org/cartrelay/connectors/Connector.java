package org.cartrelay.connectors;

import java.time.Duration;
import java.util.List;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.jackson.JacksonDataFormat;
import org.apache.camel.spi.DataFormat;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.OutboundEvent;

/**
 * One configured connector instance. It owns one Camel route, {@code direct:deliver-<name>}, that takes an
 * outbound event (JSON body, headers {@link #EVENT_ID}, {@link #EVENT_TYPE}, {@link #ATTEMPT}) and sends it to the
 * target. An HTTP target leaves the status in {@code CamelHttpResponseCode}; any exception is a failed attempt.
 * <p>
 * Optional protocols: a connector that sends one event in timed steps returns their delays from {@link #steps}, and
 * gets one delivery per step (header {@link #STEP}); unsent steps of an abandoned event are cancelled when the cart
 * is recovered. A connector that makes several calls per attempt reads {@link #PROGRESS} (how many calls already
 * succeeded), skips those, and sets it after each call that succeeds, so a retry repeats only the call that failed;
 * it asks the {@link CallGate} before each call ({@link #gatesEachCall}). A connector that knows what its target's
 * exceptions mean says so in {@link #failureKind}; {@link PermanentDeliveryException} and
 * {@link RateLimitedException} mean the same for every connector.
 */
public interface Connector {

    String EVENT_ID = "CartRelayEventId";
    String EVENT_TYPE = "CartRelayEventType";
    String ATTEMPT = "CartRelayAttempt";
    String STEP = "CartRelayStep";
    String PROGRESS = "CartRelayProgress";
    /** The attempt's span as a W3C {@code traceparent} (absent while tracing is off), for a target that takes one. */
    String TRACEPARENT = "CartRelayTraceparent";
    /** Set by a connector whose {@link CallGate} refused a call: the calls before it were made, the rest were not. */
    String HELD = "CartRelayHeld";

    /**
     * How a route reads the outbound event from its body: Camel's Jackson data format over the mapper the hub writes
     * events with, so what a connector reads is exactly what the outbox holds.
     */
    static DataFormat outboundEvent() {
        return new JacksonDataFormat(EventJson.MAPPER, OutboundEvent.class);
    }

    ConnectorDefinition definition();

    /** The delay of each step after the event; one immediate step unless the connector sends in steps. */
    default List<Duration> steps(OutboundEvent event) {
        return List.of(Duration.ZERO);
    }

    /**
     * Whether this connector asks the {@link CallGate} before each of its calls itself; otherwise the hub asks once
     * before handing it the delivery, which is then one call.
     */
    default boolean gatesEachCall() {
        return false;
    }

    /**
     * What an exception of this connector's target means ({@code null}: the hub decides, from I/O errors and timeouts
     * in its causes); e.g. an SMTP server's permanent 5xx reply.
     */
    default FailureKind failureKind(Throwable failure) {
        return null;
    }

    /**
     * The key within which this connector's deliveries go out one at a time, in the order they reach it: the
     * checkout by default, so an event never overtakes an earlier one of the same checkout.
     */
    default String orderKey(String checkoutId, String email) {
        return checkoutId;
    }

    /**
     * Whether this connector tells its target of a buyer's unsubscription ({@code buyer.unsubscribed}): a mailing tool
     * with a list of its own (Mailchimp, Klaviyo), which would mail the buyer on its own otherwise.
     */
    default boolean pushesUnsubscribe() {
        return false;
    }

    /** Adds this connector's delivery route to the builder. */
    void addRoutes(RouteBuilder builder);

    default String name() {
        return definition().name();
    }

    default String deliveryUri() {
        return "direct:deliver-" + definition().name();
    }

    default String routeId() {
        return "deliver-" + definition().type() + "-" + definition().name();
    }
}
