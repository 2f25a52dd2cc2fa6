package org.cartrelay.connectors.sql;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.cartrelay.event.Address;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Customer;
import org.cartrelay.event.EventJson;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;
import org.cartrelay.event.OutboundEvent.Abandonment;
import org.cartrelay.event.OutboundEvent.Recovery;

/**
 * The cart fields a {@code sql} connector can map to columns, by the dotted name used in {@code columns:} (the
 * schema lists the same names). Money stays a {@code BigDecimal}, time becomes a UTC {@code OffsetDateTime}, lists
 * become comma-separated text; a field the event does not carry is null.
 */
final class CartFields {

    static final Map<String, Function<OutboundEvent, Object>> ALL = fields();

    private CartFields() {}

    private static Map<String, Function<OutboundEvent, Object>> fields() {
        Map<String, Function<OutboundEvent, Object>> f = new LinkedHashMap<>();
        f.put("id", OutboundEvent::id);
        f.put("type", OutboundEvent::type);
        f.put("source", OutboundEvent::source);
        f.put("occurredAt", e -> time(e.occurredAt()));
        f.put("checkout.id", e -> checkout(e).map(Checkout::id).orElse(null));
        f.put(
                "checkout.orderFormId",
                e -> checkout(e).map(Checkout::orderFormId).orElse(null));
        f.put("checkout.resumeUrl", e -> checkout(e).map(Checkout::resumeUrl).orElse(null));
        f.put("checkout.currency", e -> checkout(e).map(Checkout::currency).orElse(null));
        f.put("checkout.total", e -> checkout(e).map(Checkout::total).orElse(null));
        f.put(
                "checkout.items",
                e -> checkout(e).map(c -> EventJson.write(c.items())).orElse(null));
        f.put(
                "checkout.productIds",
                e -> checkout(e)
                        .map(c -> c.items().stream()
                                .map(Item::productId)
                                .filter(id -> id != null)
                                .collect(Collectors.joining(",")))
                        .filter(s -> !s.isEmpty())
                        .orElse(null));
        f.put("customer.email", e -> customer(e).map(Customer::email).orElse(null));
        f.put("customer.firstName", e -> customer(e).map(Customer::firstName).orElse(null));
        f.put("customer.lastName", e -> customer(e).map(Customer::lastName).orElse(null));
        f.put("customer.phone", e -> customer(e).map(Customer::phone).orElse(null));
        f.put("customer.language", e -> customer(e).map(Customer::language).orElse(null));
        f.put("customer.address.city", e -> address(e).map(Address::city).orElse(null));
        f.put("customer.address.zip", e -> address(e).map(Address::zip).orElse(null));
        f.put("customer.address.country", e -> address(e).map(Address::country).orElse(null));
        f.put(
                "consent.newsletter",
                e -> e.consent() == null ? null : e.consent().newsletter());
        f.put(
                "abandonment.attempt",
                e -> abandonment(e).map(Abandonment::attempt).orElse(null));
        f.put(
                "abandonment.valueTier",
                e -> abandonment(e).map(Abandonment::valueTier).orElse(null));
        f.put(
                "abandonment.segments",
                e -> abandonment(e)
                        .map(a -> String.join(",", a.segments()))
                        .filter(s -> !s.isEmpty())
                        .orElse(null));
        f.put(
                "abandonment.resumeUrl",
                e -> abandonment(e).map(Abandonment::resumeUrl).orElse(null));
        f.put("abandonment.coupon", e -> abandonment(e).map(Abandonment::coupon).orElse(null));
        f.put(
                "abandonment.abandonedAt",
                e -> abandonment(e).map(a -> time(a.abandonedAt())).orElse(null));
        f.put("recovery.orderId", e -> recovery(e).map(Recovery::orderId).orElse(null));
        f.put("recovery.amount", e -> recovery(e).map(Recovery::amount).orElse(null));
        f.put("recovery.currency", e -> recovery(e).map(Recovery::currency).orElse(null));
        f.put(
                "recovery.recoveredAt",
                e -> recovery(e).map(r -> time(r.recoveredAt())).orElse(null));
        f.put("event", EventJson::write);
        return Collections.unmodifiableMap(f);
    }

    private static Optional<Checkout> checkout(OutboundEvent e) {
        return Optional.ofNullable(e.checkout());
    }

    private static Optional<Customer> customer(OutboundEvent e) {
        return Optional.ofNullable(e.customer());
    }

    private static Optional<Address> address(OutboundEvent e) {
        return customer(e).map(Customer::address);
    }

    private static Optional<Abandonment> abandonment(OutboundEvent e) {
        return Optional.ofNullable(e.abandonment());
    }

    private static Optional<Recovery> recovery(OutboundEvent e) {
        return Optional.ofNullable(e.recovery());
    }

    private static OffsetDateTime time(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }
}
