package org.cartrelay.connectors.webhook;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

import org.cartrelay.event.Address;
import org.cartrelay.event.Checkout;
import org.cartrelay.event.Customer;
import org.cartrelay.event.Item;
import org.cartrelay.event.OutboundEvent;

/** The outbound event as flat form fields in Digistore24's IPN vocabulary, for receivers written for that IPN. */
final class FormEncoding {

    private FormEncoding() {}

    static String encode(OutboundEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("event", event.type().replace('.', '_'));
        fields.put("event_id", event.id());
        fields.put("source", event.source());
        fields.put("source_event_id", event.sourceEventId());
        Customer customer = event.customer();
        if (customer != null) {
            fields.put("email", customer.email());
            fields.put("first_name", customer.firstName());
            fields.put("last_name", customer.lastName());
            fields.put("phone_no", customer.phone());
            fields.put("language", customer.language());
            Address address = customer.address();
            if (address != null) {
                fields.put("address_street", address.street());
                fields.put("address_city", address.city());
                fields.put("address_state", address.state());
                fields.put("address_zipcode", address.zip());
                fields.put("address_country", address.country());
            }
        }
        if (event.consent() != null && event.consent().newsletter() != null) {
            fields.put("newsletter_choice", event.consent().newsletter() ? "yes" : "no");
        }
        Checkout checkout = event.checkout();
        if (checkout != null) {
            fields.put("order_id", checkout.id());
            fields.put("orderform_id", checkout.orderFormId());
            fields.put("currency", checkout.currency());
            fields.put(
                    "amount", checkout.total() == null ? null : checkout.total().toPlainString());
            fields.put("checkout_url", checkout.resumeUrl());
            int n = 0;
            for (Item item : checkout.items()) {
                String prefix = n == 0 ? "" : "item" + (n + 1) + "_";
                fields.put(prefix + "product_id", item.productId());
                fields.put(prefix + "product_name", item.name());
                fields.put(prefix + "quantity", item.quantity());
                fields.put(
                        prefix + "unit_price",
                        item.unitPrice() == null ? null : item.unitPrice().toPlainString());
                n++;
            }
        }
        if (event.abandonment() != null) {
            fields.put("resume_url", event.abandonment().resumeUrl());
            fields.put("abandoned_at", event.abandonment().abandonedAt());
        }
        if (event.recovery() != null) {
            fields.put("recovery_order_id", event.recovery().orderId());
            fields.put(
                    "recovered_amount",
                    event.recovery().amount() == null
                            ? null
                            : event.recovery().amount().toPlainString());
            fields.put("recovered_currency", event.recovery().currency());
            fields.put("recovered_at", event.recovery().recoveredAt());
        }
        if (event.attributes() != null) {
            event.attributes().forEach(fields::putIfAbsent);
        }
        StringJoiner body = new StringJoiner("&");
        fields.forEach((key, value) -> {
            if (value != null) {
                body.add(URLEncoder.encode(key, StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(value.toString(), StandardCharsets.UTF_8));
            }
        });
        return body.toString();
    }
}
