package org.cartrelay.event;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What connectors receive: the checkout as it was last seen, plus the hub's own id (stable across every
 * retry and replay), and the abandonment or recovery facts.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record OutboundEvent(
        String id,
        String type,
        String source,
        String sourceEventId,
        Instant occurredAt,
        Checkout checkout,
        Customer customer,
        Consent consent,
        Map<String, String> attributes,
        Abandonment abandonment,
        Recovery recovery) {

    /** The hub's own event for mailing tools that keep their own list: this buyer unsubscribed, stop mailing them. */
    public static final String BUYER_UNSUBSCRIBED = "buyer.unsubscribed";

    /** A buyer's unsubscription ({@code source}: link, api, …) at {@code at}; it carries the address and nothing else. */
    public static OutboundEvent unsubscribed(String id, String email, String source, Instant at) {
        return new OutboundEvent(
                id,
                BUYER_UNSUBSCRIBED,
                source,
                null,
                at,
                null,
                new Customer(email, null, null, null, null, null),
                null,
                null,
                null,
                null);
    }

    public static OutboundEvent abandoned(String id, CanonicalEvent started, Abandonment abandonment) {
        return new OutboundEvent(
                id,
                CanonicalEvent.CHECKOUT_ABANDONED,
                started.source(),
                started.sourceEventId(),
                started.occurredAt(),
                started.checkout(),
                started.customer(),
                started.consent(),
                started.attributes(),
                abandonment,
                null);
    }

    public static OutboundEvent recovered(String id, CanonicalEvent started, Recovery recovery) {
        return new OutboundEvent(
                id,
                CanonicalEvent.CHECKOUT_RECOVERED,
                started.source(),
                started.sourceEventId(),
                started.occurredAt(),
                started.checkout(),
                started.customer(),
                started.consent(),
                started.attributes(),
                null,
                recovery);
    }

    public String email() {
        return customer == null ? null : customer.email();
    }

    /**
     * The abandonment facts and the hub's enrichment: how often this email abandoned within the
     * repeat window, the value tier ({@code high} or {@code normal}), segment tags, the resume link and a coupon.
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Abandonment(
            Integer attempt,
            String valueTier,
            List<String> segments,
            String resumeUrl,
            String coupon,
            Instant abandonedAt) {

        public Abandonment {
            segments = segments == null ? List.of() : List.copyOf(segments);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Recovery(
            String orderId,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal amount,
            String currency,
            Instant recoveredAt) {}
}
