package org.cartrelay.event;

import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One notification from any source, normalised, in the shape {@code schemas/canonical-event.schema.json} describes. Inbound types are
 * {@code checkout.started} and {@code order.completed}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record CanonicalEvent(
        String type,
        String source,
        String sourceEventId,
        Instant occurredAt,
        Checkout checkout,
        Order order,
        Customer customer,
        Consent consent,
        Map<String, String> attributes) {

    public static final String CHECKOUT_STARTED = "checkout.started";
    public static final String ORDER_COMPLETED = "order.completed";
    public static final String CHECKOUT_ABANDONED = "checkout.abandoned";
    public static final String CHECKOUT_RECOVERED = "checkout.recovered";

    public CanonicalEvent {
        attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    }

    public String email() {
        return customer == null ? null : customer.email();
    }

    public String checkoutId() {
        return checkout == null ? null : checkout.id();
    }

    /** The first product of the checkout, used to match a checkout that has no id of its own. */
    public String firstProductId() {
        return checkout == null || checkout.items().isEmpty()
                ? null
                : checkout.items().get(0).productId();
    }

    public boolean newsletterConsent() {
        return consent != null && Boolean.TRUE.equals(consent.newsletter());
    }
}
