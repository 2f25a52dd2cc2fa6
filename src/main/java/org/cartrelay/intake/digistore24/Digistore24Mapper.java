package org.cartrelay.intake.digistore24;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
import org.cartrelay.support.ConsentWords;
import org.cartrelay.support.Digests;
import org.cartrelay.support.EmailAddress;
import org.cartrelay.support.FormBody;

/** Maps a verified Digistore24 IPN to a {@link Notice}. */
final class Digistore24Mapper {

    static final String SOURCE = "digistore24";

    private static final Set<String> PAYMENTS = Set.of("on_payment", "on_payment_subscription_signup");
    private static final Set<String> TRANSACTIONS = Set.of(
            "on_refund",
            "on_chargeback",
            "on_payment_missed",
            "payment_denial",
            "last_paid_day",
            "on_affiliation",
            "eticket");
    private static final DateTimeFormatter ORDER_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    private final ZoneId zone;
    private final List<String> checkoutEvents;
    private final ConsentDefault consentDefault;

    Digistore24Mapper(ZoneId zone, List<String> checkoutEvents, ConsentDefault consentDefault) {
        this.zone = zone;
        this.checkoutEvents = checkoutEvents;
        this.consentDefault = consentDefault;
    }

    Notice map(FormBody form, String rawBody, Instant receivedAt) {
        String event = form.get("event");
        String eventName = event == null ? "(none)" : event;
        String orderId = form.get("order_id");
        String sourceEventId = (orderId != null ? orderId : "sha256-" + Digests.sha256(rawBody)) + ":" + eventName;
        if (event == null) {
            return Notice.rejected(SOURCE, sourceEventId, rawBody, "The notification has no 'event' field.");
        }
        boolean payment = PAYMENTS.contains(event);
        if (!payment && (TRANSACTIONS.contains(event) || event.startsWith("on_rebill_"))) {
            return Notice.ignored(
                    SOURCE,
                    sourceEventId,
                    rawBody,
                    null,
                    "Transaction event '" + event + "' does not affect abandonment.");
        }
        String email = form.get("email") != null ? form.get("email") : form.get("buyer_email");
        if (!payment && email == null) {
            return Notice.ignored(
                    SOURCE,
                    sourceEventId,
                    rawBody,
                    null,
                    "Event '" + event + "' carries no email address, so it is no order-form entry.");
        }
        if (!payment && !checkoutEvents.isEmpty() && !checkoutEvents.contains(event)) {
            return Notice.ignored(
                    SOURCE,
                    sourceEventId,
                    rawBody,
                    null,
                    "Event '" + event + "' is not listed in cartrelay.sources.digistore24.checkout-events "
                            + checkoutEvents + ".");
        }
        if (email != null && !EmailAddress.isValid(email)) {
            return Notice.rejected(SOURCE, sourceEventId, rawBody, "The email address is not valid.");
        }
        if (!payment && email == null) {
            return Notice.rejected(SOURCE, sourceEventId, rawBody, "An order-form entry needs an email address.");
        }
        CanonicalEvent canonical = canonical(
                form,
                payment ? CanonicalEvent.ORDER_COMPLETED : CanonicalEvent.CHECKOUT_STARTED,
                sourceEventId,
                email,
                receivedAt);
        return Notice.processed(SOURCE, sourceEventId, rawBody, canonical);
    }

    private CanonicalEvent canonical(
            FormBody form, String type, String sourceEventId, String email, Instant receivedAt) {
        BigDecimal amount = money(form.get("amount"));
        Item item = form.get("product_id") == null && form.get("product_name") == null
                ? null
                : new Item(form.get("product_id"), form.get("product_name"), quantity(form.get("quantity")), amount);
        Checkout checkout = new Checkout(
                form.get("order_id"),
                form.get("orderform_id"),
                form.get("checkout_url"),
                currency(form.get("currency")),
                amount,
                item == null ? List.of() : List.of(item));
        String street = form.get("address_street");
        if (street == null && form.get("address_street_name") != null) {
            street = (form.get("address_street_name") + " " + nullToEmpty(form.get("address_street_number"))).trim();
        }
        Address address = Address.of(
                street,
                form.get("address_city"),
                form.get("address_state"),
                form.get("address_zipcode"),
                upper(form.get("address_country")));
        String firstName = first(form.get("address_first_name"), form.get("buyer_first_name"));
        String lastName = first(form.get("address_last_name"), form.get("buyer_last_name"));
        String phone = first(form.get("address_phone_no"), form.get("address_mobile_no"));
        Customer customer = new Customer(email, firstName, lastName, phone, address, form.get("language"));
        String choice = form.get("newsletter_choice");
        Consent consent = choice != null
                ? new Consent(ConsentWords.consenting(choice))
                : consentDefault == ConsentDefault.NEWSLETTER ? new Consent(true) : new Consent(false);
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("digistore24_event", form.get("event"));
        for (Map.Entry<String, String> field : form.asMap().entrySet()) {
            String key = field.getKey();
            if ((key.startsWith("utm_")
                            || key.equals("custom")
                            || key.equals("api_mode")
                            || key.equals("is_gdpr_country")
                            || key.equals("ipn_version"))
                    && form.get(key) != null) {
                attributes.put(key, form.get(key));
            }
        }
        Order order = CanonicalEvent.ORDER_COMPLETED.equals(type) && form.get("order_id") != null
                ? new Order(form.get("order_id"))
                : null;
        return new CanonicalEvent(
                type,
                SOURCE,
                sourceEventId,
                occurredAt(form.get("order_date_time"), receivedAt),
                checkout,
                order,
                customer,
                consent,
                attributes);
    }

    /** Digistore24 sends local time without a zone; it is read in the configured zone (Europe/Berlin by default). */
    private Instant occurredAt(String value, Instant fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            return LocalDateTime.parse(value, ORDER_TIME).atZone(zone).toInstant();
        } catch (DateTimeParseException e) {
            return fallback;
        }
    }

    private static BigDecimal money(String value) {
        return IntakeBounds.money(value == null ? null : value.replace(',', '.'));
    }

    /** One unless a quantity is sent; one beyond int saturates, so the bounds reject it rather than wrap it. */
    private static Integer quantity(String value) {
        return Math.max(1, IntakeBounds.quantity(value, 1));
    }

    private static String currency(String value) {
        return value == null || !value.matches("[A-Za-z]{3}") ? null : value.toUpperCase(Locale.ROOT);
    }

    private static String upper(String value) {
        return value == null || !value.matches("[A-Za-z]{2}") ? null : value.toUpperCase(Locale.ROOT);
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
