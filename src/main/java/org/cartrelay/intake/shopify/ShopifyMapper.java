package org.cartrelay.intake.shopify;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cartrelay.event.Address;
import org.cartrelay.event.CanonicalEvent;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Consent;
import org.cartrelay.event.Customer;
import org.cartrelay.event.Item;
import org.cartrelay.event.Order;
import org.cartrelay.intake.ConsentDefault;
import org.cartrelay.intake.IntakeBounds;
import org.cartrelay.intake.Notice;
import org.cartrelay.support.EmailAddress;

import com.fasterxml.jackson.databind.JsonNode;

/** Maps a verified Shopify webhook (checkouts/*, orders/create) to a {@link Notice}. */
final class ShopifyMapper {

    static final String SOURCE = "shopify";

    private final ConsentDefault consentDefault;

    ShopifyMapper(ConsentDefault consentDefault) {
        this.consentDefault = consentDefault;
    }

    Notice map(String topic, String sourceEventId, JsonNode body, String rawBody, Instant receivedAt) {
        switch (topic == null ? "" : topic) {
            case "checkouts/create", "checkouts/update" -> {
                String email = email(body);
                if (text(body, "completed_at") != null) {
                    return Notice.ignored(
                            SOURCE,
                            sourceEventId,
                            rawBody,
                            null,
                            "The checkout is completed; its order arrives as orders/create.");
                }
                if (email == null) {
                    return Notice.ignored(
                            SOURCE, sourceEventId, rawBody, null, "The checkout has no email address yet.");
                }
                if (!EmailAddress.isValid(email)) {
                    return Notice.rejected(SOURCE, sourceEventId, rawBody, "The email address is not valid.");
                }
                return Notice.processed(
                        SOURCE,
                        sourceEventId,
                        rawBody,
                        canonical(
                                body,
                                CanonicalEvent.CHECKOUT_STARTED,
                                sourceEventId,
                                first(text(body, "token"), text(body, "cart_token")),
                                receivedAt));
            }
            case "orders/create" -> {
                String checkoutRef = first(text(body, "checkout_token"), text(body, "cart_token"));
                return Notice.processed(
                        SOURCE,
                        sourceEventId,
                        rawBody,
                        canonical(body, CanonicalEvent.ORDER_COMPLETED, sourceEventId, checkoutRef, receivedAt));
            }
            default -> {
                return Notice.ignored(
                        SOURCE, sourceEventId, rawBody, null, "Topic '" + topic + "' does not affect abandonment.");
            }
        }
    }

    private CanonicalEvent canonical(
            JsonNode body, String type, String sourceEventId, String checkoutRef, Instant receivedAt) {
        List<Item> items = new ArrayList<>();
        for (JsonNode line : body.path("line_items")) {
            String name = text(line, "title");
            String variant = text(line, "variant_title");
            items.add(new Item(
                    first(text(line, "product_id"), text(line, "sku")),
                    variant == null ? name : name + " (" + variant + ")",
                    quantity(line.get("quantity")),
                    money(text(line, "price"))));
        }
        Checkout checkout = new Checkout(
                checkoutRef,
                null,
                text(body, "abandoned_checkout_url"),
                first(text(body, "presentment_currency"), text(body, "currency")),
                money(text(body, "total_price")),
                items);
        JsonNode customer = body.path("customer");
        JsonNode billing = body.path("billing_address");
        Address address = Address.of(
                text(billing, "address1"),
                text(billing, "city"),
                first(text(billing, "province_code"), text(billing, "province")),
                text(billing, "zip"),
                text(billing, "country_code"));
        // an order may come without a usable email and is then matched by its checkout token alone
        String email = email(body);
        Customer buyer = new Customer(
                email != null && EmailAddress.isValid(email) ? email : null,
                first(text(customer, "first_name"), text(billing, "first_name")),
                first(text(customer, "last_name"), text(billing, "last_name")),
                first(text(body, "phone"), text(billing, "phone")),
                address,
                text(body, "customer_locale"));
        Consent consent = consentDefault.apply(
                body.has("buyer_accepts_marketing")
                        ? new Consent(body.get("buyer_accepts_marketing").asBoolean(false))
                        : null);
        Map<String, String> attributes = new LinkedHashMap<>();
        putIfPresent(
                attributes,
                "shopify_checkout_id",
                CanonicalEvent.CHECKOUT_STARTED.equals(type) ? text(body, "id") : text(body, "checkout_id"));
        putIfPresent(attributes, "cart_token", text(body, "cart_token"));
        Order order = CanonicalEvent.ORDER_COMPLETED.equals(type) ? new Order(text(body, "id")) : null;
        return new CanonicalEvent(
                type,
                SOURCE,
                sourceEventId,
                time(first(text(body, "updated_at"), text(body, "created_at")), receivedAt),
                checkout,
                order,
                buyer,
                consent,
                attributes);
    }

    private static String email(JsonNode body) {
        return first(text(body, "email"), text(body.path("customer"), "email"));
    }

    private static void putIfPresent(Map<String, String> map, String key, String value) {
        if (value != null) {
            map.put(key, value);
        }
    }

    /** Text of a field, or null when missing, JSON null or blank: only what the buyer filled in counts. */
    static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText().trim();
        return text.isEmpty() ? null : text;
    }

    private static BigDecimal money(String value) {
        return IntakeBounds.money(value);
    }

    /** A quantity beyond int saturates, so the bounds reject it rather than wrap it; one that is no number is 0. */
    private static Integer quantity(JsonNode value) {
        if (value == null || value.isNull()) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return value.canConvertToInt() ? value.intValue() : Integer.MAX_VALUE;
        }
        return IntakeBounds.quantity(value.isTextual() ? value.textValue() : null, 0);
    }

    private static Instant time(String value, Instant fallback) {
        try {
            return value == null ? fallback : OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }
}
