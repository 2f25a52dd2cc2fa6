package org.cartrelay.connectors.http;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;

/**
 * The facts of an outbound event that vendor payloads are made of, with the gaps filled sensibly: a missing value
 * tier is {@code normal}, the value of a recovery is the amount paid, the resume link is the enriched one or else
 * the shop's own.
 */
public final class CartFacts {

    public static final String HIGH = "high";
    public static final String NORMAL = "normal";
    public static final String REPEAT_ABANDONER = "repeat-abandoner";

    private final OutboundEvent event;

    private CartFacts(OutboundEvent event) {
        this.event = event;
    }

    public static CartFacts of(OutboundEvent event) {
        return new CartFacts(event);
    }

    public OutboundEvent event() {
        return event;
    }

    public boolean recovered() {
        return CanonicalEvent.CHECKOUT_RECOVERED.equals(event.type());
    }

    public String email() {
        return event.email();
    }

    public String firstName() {
        return event.customer() == null ? null : event.customer().firstName();
    }

    public String lastName() {
        return event.customer() == null ? null : event.customer().lastName();
    }

    public String phone() {
        return event.customer() == null ? null : event.customer().phone();
    }

    /** First and last name, or null when neither is known. */
    public String fullName() {
        String name = java.util.stream.Stream.of(firstName(), lastName())
                .filter(Objects::nonNull)
                .collect(Collectors.joining(" "));
        return name.isBlank() ? null : name;
    }

    public List<Item> items() {
        return event.checkout() == null ? List.of() : event.checkout().items();
    }

    /** The products by name (or id where a name is missing), comma-separated; null for an empty cart. */
    public String products() {
        String names = items().stream()
                .map(item -> item.name() != null ? item.name() : item.productId())
                .filter(Objects::nonNull)
                .collect(Collectors.joining(", "));
        return names.isEmpty() ? null : names;
    }

    public String checkoutId() {
        return event.checkout() == null ? null : event.checkout().id();
    }

    /** The recovered amount on a recovery, else the cart total. */
    public BigDecimal value() {
        if (recovered() && event.recovery() != null && event.recovery().amount() != null) {
            return event.recovery().amount();
        }
        return event.checkout() == null ? null : event.checkout().total();
    }

    public String currency() {
        if (recovered() && event.recovery() != null && event.recovery().currency() != null) {
            return event.recovery().currency();
        }
        return event.checkout() == null ? null : event.checkout().currency();
    }

    /** "49.00 USD", or null when the value is unknown. */
    public String money() {
        BigDecimal value = value();
        if (value == null) {
            return null;
        }
        return value.toPlainString() + (currency() == null ? "" : " " + currency());
    }

    public String resumeUrl() {
        if (event.abandonment() != null && event.abandonment().resumeUrl() != null) {
            return event.abandonment().resumeUrl();
        }
        return event.checkout() == null ? null : event.checkout().resumeUrl();
    }

    public String coupon() {
        return event.abandonment() == null ? null : event.abandonment().coupon();
    }

    /** {@code high} or {@code normal}; an event without a tier is normal. */
    public String valueTier() {
        String tier = event.abandonment() == null ? null : event.abandonment().valueTier();
        return HIGH.equals(tier) ? HIGH : NORMAL;
    }

    public List<String> segments() {
        return event.abandonment() == null ? List.of() : event.abandonment().segments();
    }

    public boolean repeatAbandoner() {
        return segments().contains(REPEAT_ABANDONER);
    }

    /** When the cart was abandoned, or for a recovery when it was paid; null when unknown. */
    public Instant time() {
        if (recovered()) {
            return event.recovery() == null ? null : event.recovery().recoveredAt();
        }
        return event.abandonment() == null ? null : event.abandonment().abandonedAt();
    }

    public String orderId() {
        return event.recovery() == null ? null : event.recovery().orderId();
    }
}
